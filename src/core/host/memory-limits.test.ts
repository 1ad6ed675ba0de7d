import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMemoryLimits } from './memory-limits.js';

const MB = 1024 * 1024;

describe('memory limits', () => {
  it('takes none, or a memory limit of 6MB and more with a larger swap limit or -1', () => {
    for (const limits of [
      {},
      { memory: 6 * MB },
      { memory: 64 * MB, memorySwap: 64 * MB },
      { memory: 64 * MB, memorySwap: -1 },
    ])
      checkMemoryLimits(limits, { update: false });
  });

  it("refuses what Docker refuses, in Docker's words", () => {
    assert.throws(() => checkMemoryLimits({ memory: 4 * MB }, { update: false }), {
      message: 'Minimum memory limit allowed is 6MB',
    });
    assert.throws(
      () => checkMemoryLimits({ memory: 10 * MB, memorySwap: 5 * MB }, { update: true }),
      {
        message: 'Minimum memoryswap limit should be larger than memory limit, see usage',
      },
    );
    assert.throws(() => checkMemoryLimits({ memorySwap: 5 * MB }, { update: false }), {
      message: 'You should always set the Memory limit when using Memoryswap limit, see usage',
    });
    // An update may set the swap limit alone.
    checkMemoryLimits({ memorySwap: 5 * MB }, { update: true });
  });
});
