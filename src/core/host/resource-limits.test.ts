import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applicableLimits, checkMemoryLimits, checkOtherLimits } from './resource-limits.js';

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

  it('checks reservation, swappiness, CFS period and quota, and blkio weight as Docker does', () => {
    checkOtherLimits({
      memory: 64 * MB,
      memoryReservation: 32 * MB,
      memorySwappiness: 60,
      cpuPeriod: 50_000,
      cpuQuota: 25_000,
      blkioWeight: 300,
    });
    checkOtherLimits({ memorySwappiness: -1 });
    const refused: [Parameters<typeof checkOtherLimits>[0], string][] = [
      [{ memoryReservation: MB }, 'Minimum memory reservation allowed is 6MB'],
      [
        { memory: 16 * MB, memoryReservation: 32 * MB },
        'Minimum memory limit can not be less than memory reservation limit, see usage',
      ],
      [{ memorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100'],
      [
        { nanoCpus: 1e9, cpuPeriod: 1000 },
        'Conflicting options: Nano CPUs and CPU Period cannot both be set',
      ],
      [
        { nanoCpus: 1e9, cpuQuota: 1000 },
        'Conflicting options: Nano CPUs and CPU Quota cannot both be set',
      ],
      [
        { cpuPeriod: 999 },
        'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)',
      ],
      [{ cpuQuota: 999 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
      [{ blkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000'],
    ];
    for (const [limits, message] of refused)
      assert.throws(() => checkOtherLimits(limits), { message }, JSON.stringify(limits));
  });

  it("drops what the host cannot do, with Docker's warnings", () => {
    const none = { blkioWeight: false, oomKillDisable: false };
    const dropped = applicableLimits({ blkioWeight: 300, oomKillDisable: true, memory: 0 }, none);
    assert.deepEqual(dropped.limits, { memory: 0 });
    assert.deepEqual(dropped.warnings, [
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
      'Your kernel does not support OomKillDisable. OomKillDisable discarded.',
    ]);
    const all = { blkioWeight: true, oomKillDisable: true };
    const kept = applicableLimits({ blkioWeight: 300, oomKillDisable: true }, all);
    assert.deepEqual(kept.limits, { blkioWeight: 300, oomKillDisable: true });
    assert.match(
      kept.warnings.join(),
      /OOM killer is disabled for the container, but no memory limit is set/,
    );
    assert.deepEqual(applicableLimits({ oomKillDisable: true, memory: 64 * MB }, all).warnings, []);
  });
});
