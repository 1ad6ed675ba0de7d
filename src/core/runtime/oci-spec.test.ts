import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capabilities.js';
import {
  buildOciSpec,
  DEFAULT_MASKED_PATHS,
  tmpfsMount,
  type ContainerSpecInput,
} from './oci-spec.js';
import type { LinuxSeccomp, Mount } from './oci-types.js';

/** The repository root (tests run compiled, from dist/). */
const REPO = process.env['BERTH_REPO'] ?? new URL('../../../../', import.meta.url).pathname;
const TESTDATA = join(REPO, 'src/core/runtime/testdata');

/**
 * Compares with testdata/<name> as parsed JSON; UPDATE_GOLDEN=1 rewrites the file instead
 * (then `npx prettier --write src/core/runtime/testdata`, and review the diff).
 */
function assertGolden(name: string, value: unknown): void {
  const path = join(TESTDATA, name);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    writeFileSync(path, text);
    return;
  }
  const golden: unknown = JSON.parse(readFileSync(path, 'utf8'));
  assert.deepStrictEqual(JSON.parse(text), golden, `${name} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

const ID = 'f'.repeat(8) + '0123456789abcdef'.repeat(3) + '01234567';
const CONTAINER_DIR = `/var/lib/berth/containers/${ID}`;

const SECCOMP: LinuxSeccomp = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [{ names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }],
};

/** What `docker run busybox sh` asks for. */
function defaultInput(): ContainerSpecInput {
  return {
    id: ID,
    rootfsPath: `/var/lib/berth/overlay2/${ID}/merged`,
    readonlyRootfs: false,
    process: {
      args: ['sh'],
      env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `HOSTNAME=${ID.slice(0, 12)}`,
      ],
      cwd: '',
      user: { uid: 0, gid: 0, additionalGids: [10] },
      tty: false,
      noNewPrivileges: false,
      capabilities: DEFAULT_CAPABILITIES,
    },
    hostname: ID.slice(0, 12),
    namespaces: { network: { mode: 'new' }, pid: 'new', ipc: 'new', uts: 'new', cgroup: 'host' },
    extraMounts: [
      {
        destination: '/etc/resolv.conf',
        type: 'bind',
        source: `${CONTAINER_DIR}/resolv.conf`,
        options: ['rbind', 'rprivate'],
      },
      {
        destination: '/etc/hostname',
        type: 'bind',
        source: `${CONTAINER_DIR}/hostname`,
        options: ['rbind', 'rprivate'],
      },
      {
        destination: '/etc/hosts',
        type: 'bind',
        source: `${CONTAINER_DIR}/hosts`,
        options: ['rbind', 'rprivate'],
      },
    ],
    devices: [],
    sysctls: {},
    resources: {},
    cgroupsPath: `/docker/${ID}`,
    privileged: false,
    seccomp: SECCOMP,
  };
}

describe('buildOciSpec', () => {
  it('builds the default spec (golden)', () => {
    assertGolden('default-spec.json', buildOciSpec(defaultInput()));
  });

  it('builds a privileged spec (golden)', () => {
    const input = defaultInput();
    input.privileged = true;
    input.process.capabilities = DEFAULT_CAPABILITIES; // ignored: privileged gets all
    input.devices = [
      {
        path: '/dev/loop0',
        type: 'b',
        major: 7,
        minor: 0,
        fileMode: 0o60660,
        uid: 0,
        gid: 6,
        cgroupPermissions: 'rwm',
      },
    ];
    assertGolden('privileged-spec.json', buildOciSpec(input));
  });

  it('builds resources, devices, user, rlimits and host namespaces (golden)', () => {
    const input = defaultInput();
    input.process = {
      ...input.process,
      args: ['/bin/sh', '-c', 'top'],
      cwd: '/work',
      user: { uid: 1000, gid: 1000, additionalGids: [27, 100] },
      tty: true,
      consoleSize: { height: 40, width: 120 },
      noNewPrivileges: true,
      rlimits: [{ name: 'nofile', soft: 1024, hard: 4096 }],
      oomScoreAdj: 500,
    };
    input.namespaces = {
      network: { mode: 'host' },
      pid: 'host',
      ipc: { path: '/proc/42/ns/ipc' },
      uts: 'host',
      cgroup: 'private',
    };
    input.resources = {
      memory: 512 * 1024 * 1024,
      memorySwap: 1024 * 1024 * 1024,
      oomKillDisable: false,
      cpuShares: 512,
      nanoCpus: 1_500_000_000,
      cpusetCpus: '0-1',
      cpusetMems: '0',
      pidsLimit: 100,
    };
    input.devices = [
      {
        path: '/dev/fuse',
        type: 'c',
        major: 10,
        minor: 229,
        fileMode: 0o20666,
        uid: 0,
        gid: 0,
        cgroupPermissions: 'rwm',
      },
    ];
    input.sysctls = { 'net.core.somaxconn': '1024' };
    input.shmSize = 128 * 1024 * 1024;
    assertGolden('resources-spec.json', buildOciSpec(input));
  });

  it('orders and overrides mounts as Docker does (golden)', () => {
    const input = defaultInput();
    input.readonlyRootfs = true;
    input.domainname = 'example.org';
    input.extraMounts = [
      {
        destination: '/data/sub',
        type: 'bind',
        source: '/srv/sub',
        options: ['rbind', 'ro', 'rprivate'],
      },
      {
        destination: '/data',
        type: 'bind',
        source: '/var/lib/berth/volumes/v/_data',
        options: ['rbind', 'rprivate'],
      },
      tmpfsMount('/dev/shm', 'size=1m,exec'),
      tmpfsMount('/run'),
      ...input.extraMounts,
    ];
    assertGolden('mounts-spec.json', buildOciSpec(input));
  });

  it('makes the root rshared for a shared bind and rslave for a slave one, as Docker does', () => {
    const input = defaultInput();
    const bind = (propagation: string): Mount => ({
      destination: `/${propagation}`,
      type: 'bind',
      source: '/srv',
      options: ['rbind', propagation],
    });
    assert.equal(buildOciSpec(input).linux.rootfsPropagation, undefined);
    input.extraMounts = [bind('rprivate')];
    assert.equal(buildOciSpec(input).linux.rootfsPropagation, undefined);
    input.extraMounts = [bind('rslave')];
    assert.equal(buildOciSpec(input).linux.rootfsPropagation, 'rslave');
    input.extraMounts = [bind('rslave'), bind('shared')];
    assert.equal(buildOciSpec(input).linux.rootfsPropagation, 'rshared');
  });

  it('gives a non-root user only the bounding set', () => {
    const input = defaultInput();
    input.process.user = { uid: 1000, gid: 1000, additionalGids: [] };
    const caps = buildOciSpec(input).process.capabilities;
    assert.deepEqual(caps, { bounding: [...DEFAULT_CAPABILITIES] });
  });

  it('computes the CFS quota from NanoCpus over a 100 ms period', () => {
    const input = defaultInput();
    input.resources = { nanoCpus: 250_000_000 };
    assert.deepEqual(buildOciSpec(input).linux.resources.cpu, { quota: 25000, period: 100000 });
    input.resources = { pidsLimit: 0 };
    assert.deepEqual(buildOciSpec(input).linux.resources.pids, { limit: -1 });
  });

  it('drops every default /dev mount under a user /dev and /dev/shm for ipc none', () => {
    const input = defaultInput();
    input.extraMounts = [{ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] }];
    const dests = buildOciSpec(input).mounts.map((m) => m.destination);
    assert.deepEqual(dests, ['/proc', '/sys', '/sys/fs/cgroup', '/dev']);
    const none = defaultInput();
    none.namespaces.ipc = 'none';
    const spec = buildOciSpec(none);
    assert.ok(!spec.mounts.some((m) => m.destination === '/dev/shm'));
    assert.ok(spec.linux.namespaces.some((n) => n.type === 'ipc' && n.path === undefined));
  });

  it('privileged: all capabilities, no seccomp, no masked paths, rw /sys, all devices', () => {
    const input = defaultInput();
    input.privileged = true;
    const spec = buildOciSpec(input);
    assert.deepEqual(spec.process.capabilities.bounding, [...ALL_CAPABILITIES]);
    assert.equal(spec.linux.seccomp, undefined);
    assert.equal(spec.linux.maskedPaths, undefined);
    assert.equal(spec.linux.readonlyPaths, undefined);
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys')?.options, [
      'nosuid',
      'noexec',
      'nodev',
    ]);
    assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    input.maskedPaths = ['/proc/kcore'];
    assert.deepEqual(buildOciSpec(input).linux.maskedPaths, ['/proc/kcore']);
  });

  it('does not share arrays with its input', () => {
    const input = defaultInput();
    const spec = buildOciSpec(input);
    spec.mounts[0]?.options?.push('x');
    spec.linux.maskedPaths?.push('/x');
    spec.linux.seccomp?.syscalls?.push({ names: ['x'], action: 'SCMP_ACT_ALLOW' });
    assert.equal(input.extraMounts[0]?.options?.length, 2);
    assert.equal(DEFAULT_MASKED_PATHS.length, 12);
    assert.equal(SECCOMP.syscalls?.length, 1);
  });
});

describe('tmpfsMount', () => {
  it('merges the user options over Docker defaults, the last one winning', () => {
    assert.deepEqual(tmpfsMount('/t', 'exec,size=1m,mode=1777,size=2m').options, [
      'nosuid',
      'nodev',
      'rprivate',
      'exec',
      'mode=1777',
      'size=2m',
    ]);
  });
});
