// The cgroup warm-up against the real kernel (root): the move it makes moves nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CgroupAttachWarmup } from '../../../src/core/cgroups/attach-warmup.js';

describe('CgroupAttachWarmup', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  it('joins the cgroups the process is in, once for calls that overlap', async () => {
    const before = readFileSync('/proc/self/cgroup', 'utf8');
    const warmup = new CgroupAttachWarmup();
    const first = warmup.warm();
    assert.equal(warmup.warm(), first, 'a call during a write shares it');
    assert.equal(await first, true);
    assert.equal(await warmup.warm(), true, 'and the next call writes again');
    assert.equal(readFileSync('/proc/self/cgroup', 'utf8'), before, 'nothing moved');
  });
});
