import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCgroupMounts } from './cgroup-paths.js';
import { ownProcsFile } from './attach-warmup.js';

const HYBRID = parseCgroupMounts(
  [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n'),
);
const V2 = parseCgroupMounts('30 23 0:27 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw');

describe('the cgroup a process joins again to warm the kernel up', () => {
  it('is its pids cgroup on a hybrid host (its memory one without pids)', () => {
    assert.equal(
      ownProcsFile('8:pids:/\n4:memory:/process_api/0b5c\n0::/\n', HYBRID),
      '/sys/fs/cgroup/pids/cgroup.procs',
    );
    assert.equal(
      ownProcsFile('4:memory:/process_api/0b5c\n0::/\n', HYBRID),
      '/sys/fs/cgroup/memory/process_api/0b5c/cgroup.procs',
    );
  });

  it('is its cgroup v2 on a v2 host', () => {
    assert.equal(
      ownProcsFile('0::/system.slice/berth.service\n', V2),
      '/sys/fs/cgroup/system.slice/berth.service/cgroup.procs',
    );
  });

  it('is none without a cgroup mount', () => {
    assert.equal(ownProcsFile('0::/\n', []), undefined);
  });
});
