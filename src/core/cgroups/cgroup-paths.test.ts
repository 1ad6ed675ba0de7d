import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCgroupMounts, parseProcCgroup, resolveCgroupPaths } from './cgroup-paths.js';

const ID = '25a1100d97866190b38ad3bf72491fa0534b98f5f2007ff48b126b6e45fbdfa4';

/** A hybrid host like this project's CI: v1 controllers, each alone, and a bare v2 mount. */
const HYBRID_MOUNTS = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio',
  '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

const HYBRID_PROC = [
  `9:name=systemd:/berth/${ID}`,
  `8:pids:/berth/${ID}`,
  `7:blkio:/berth/${ID}`,
  `4:memory:/berth/${ID}`,
  `2:cpuacct:/berth/${ID}`,
  `1:cpu:/berth/${ID}`,
  `0::/berth/${ID}`,
  '',
].join('\n');

describe('cgroup paths', () => {
  it('reads the cgroup mounts of mountinfo, with their controllers', () => {
    const mounts = parseCgroupMounts(HYBRID_MOUNTS);
    assert.equal(mounts.length, 7, 'the tmpfs is not a cgroup mount');
    assert.deepEqual(mounts[0], {
      version: 1,
      controllers: ['cpu'],
      mountPoint: '/sys/fs/cgroup/cpu',
      root: '/',
    });
    assert.deepEqual(mounts[5]?.controllers, [], 'name=systemd carries no controller');
    assert.deepEqual(mounts[6], {
      version: 2,
      controllers: [],
      mountPoint: '/sys/fs/cgroup/unified',
      root: '/',
    });
  });

  it('parses /proc/<pid>/cgroup, the v2 line with no controllers', () => {
    const entries = parseProcCgroup(HYBRID_PROC);
    assert.equal(entries.length, 7);
    assert.deepEqual(entries[6], { hierarchyId: 0, controllers: [], path: `/berth/${ID}` });
    assert.deepEqual(entries[0]?.controllers, ['name=systemd']);
  });

  it('uses the v1 controllers on a hybrid host', () => {
    const paths = resolveCgroupPaths(
      parseProcCgroup(HYBRID_PROC),
      parseCgroupMounts(HYBRID_MOUNTS),
    );
    assert.deepEqual(paths, {
      version: 1,
      dirs: {
        pids: `/sys/fs/cgroup/pids/berth/${ID}`,
        blkio: `/sys/fs/cgroup/blkio/berth/${ID}`,
        memory: `/sys/fs/cgroup/memory/berth/${ID}`,
        cpuacct: `/sys/fs/cgroup/cpuacct/berth/${ID}`,
        cpu: `/sys/fs/cgroup/cpu/berth/${ID}`,
      },
    });
  });

  it('finds co-mounted cpu,cpuacct in one hierarchy', () => {
    const mounts = parseCgroupMounts(
      '30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n' +
        '31 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n',
    );
    const paths = resolveCgroupPaths(
      parseProcCgroup('4:memory:/berth/x\n3:cpu,cpuacct:/berth/x\n'),
      mounts,
    );
    assert.deepEqual(paths, {
      version: 1,
      dirs: {
        memory: '/sys/fs/cgroup/memory/berth/x',
        cpu: '/sys/fs/cgroup/cpu,cpuacct/berth/x',
        cpuacct: '/sys/fs/cgroup/cpu,cpuacct/berth/x',
      },
    });
  });

  it('uses the unified directory on a v2 host', () => {
    const paths = resolveCgroupPaths(
      parseProcCgroup(`0::/berth/${ID}\n`),
      parseCgroupMounts('30 25 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n'),
    );
    assert.deepEqual(paths, { version: 2, dir: `/sys/fs/cgroup/berth/${ID}` });
  });

  it('takes a mount root into account (a daemon inside a cgroup namespace)', () => {
    const paths = resolveCgroupPaths(
      parseProcCgroup('0::/outer/berth/x\n'),
      parseCgroupMounts('30 25 0:27 /outer /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'),
    );
    assert.deepEqual(paths, { version: 2, dir: '/sys/fs/cgroup/berth/x' });
  });

  it('is undefined when no hierarchy the process is in is mounted', () => {
    assert.equal(resolveCgroupPaths(parseProcCgroup('0::/x\n'), []), undefined);
    assert.equal(resolveCgroupPaths([], parseCgroupMounts(HYBRID_MOUNTS)), undefined);
  });
});
