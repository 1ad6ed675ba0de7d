import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import {
  capabilityMask,
  helperArgs,
  nativeExecBlocker,
  parseRuncState,
  seccompRules,
} from './native-exec.js';
import type { LinuxSeccomp, Process, Spec } from './oci-types.js';

const seccomp: LinuxSeccomp = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO' },
    { names: ['pivot_root'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    {
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [
        { index: 0, value: 0, op: 'SCMP_CMP_EQ' },
        { index: 0, value: 8, op: 'SCMP_CMP_EQ' },
      ],
    },
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [
        { index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' },
        { index: 1, value: 5, op: 'SCMP_CMP_NE' },
      ],
    },
  ],
};

function process(overrides: Partial<Process> = {}): Process {
  return {
    user: { uid: 1000, gid: 1000, additionalGids: [10, 20] },
    args: ['sh', '-c', 'echo hi'],
    env: ['PATH=/bin'],
    cwd: '/work',
    capabilities: {
      bounding: [...DEFAULT_CAPABILITIES],
      effective: [...DEFAULT_CAPABILITIES],
      permitted: [...DEFAULT_CAPABILITIES],
    },
    ...overrides,
  };
}

function spec(overrides: Partial<Spec['linux']> = {}): Spec {
  return {
    ociVersion: '1.2.0',
    process: process(),
    root: { path: '/rootfs' },
    mounts: [],
    linux: {
      resources: {},
      namespaces: [{ type: 'mount' }, { type: 'network' }, { type: 'pid' }, { type: 'uts' }],
      seccomp,
      ...overrides,
    },
  };
}

describe('native exec', () => {
  it("renders a seccomp object with runc's conversion", () => {
    assert.equal(
      seccompRules(seccomp),
      [
        'default errno 38',
        'arch x86_64',
        'arch x86',
        'rule allow 0 read 0',
        'rule allow 0 write 0',
        'rule errno 1 mount 0',
        'rule errno 1 bpf 0', // errno without errnoRet: EPERM
        // pivot_root has the default action: left out
        'rule allow 0 personality 1 0 EQ 0 0', // two conditions on one argument: two rules
        'rule allow 0 personality 1 0 EQ 8 0',
        'rule allow 0 clone 2 0 MASKED_EQ 2114060288 0 1 NE 5 0',
      ].join('\n') + '\n',
    );
  });

  it('leaves to runc the profiles it does not reproduce', () => {
    assert.equal(seccompRules({ ...seccomp, defaultErrnoRet: 1 }), undefined);
    assert.equal(seccompRules({ ...seccomp, defaultAction: 'SCMP_ACT_ALLOW' }), undefined);
    assert.equal(seccompRules({ ...seccomp, flags: ['SECCOMP_FILTER_FLAG_LOG'] }), undefined);
    assert.equal(seccompRules({ ...seccomp, listenerPath: '/run/x.sock' }), undefined);
    assert.equal(
      seccompRules({ ...seccomp, syscalls: [{ names: ['read'], action: 'SCMP_ACT_TRACE' }] }),
      undefined,
    );
    assert.equal(
      seccompRules({
        ...seccomp,
        syscalls: [
          {
            names: ['read'],
            action: 'SCMP_ACT_ALLOW',
            args: [{ index: 0, value: 2 ** 60, op: 'SCMP_CMP_EQ' }],
          },
        ],
      }),
      undefined,
    );
    assert.equal(
      seccompRules({ ...seccomp, syscalls: [{ names: ['read x'], action: 'SCMP_ACT_ALLOW' }] }),
      undefined,
    );
    assert.equal(seccompRules({ ...seccomp, architectures: ['x86 64'] }), undefined);
  });

  it('says what must go through runc exec', () => {
    assert.equal(nativeExecBlocker(spec(), process()), undefined);
    assert.equal(nativeExecBlocker(spec({ seccomp: undefined }), process()), undefined);
    assert.equal(nativeExecBlocker(spec(), process({ terminal: true })), 'a terminal');
    assert.equal(
      nativeExecBlocker(spec(), process({ apparmorProfile: 'docker-default' })),
      'an AppArmor profile',
    );
    assert.equal(
      nativeExecBlocker(spec({ namespaces: [{ type: 'user' }, { type: 'mount' }] }), process()),
      'a user namespace',
    );
    assert.equal(
      nativeExecBlocker(spec({ seccomp: { ...seccomp, defaultErrnoRet: 1 } }), process()),
      'this seccomp profile',
    );
    assert.equal(
      nativeExecBlocker(spec(), process({ capabilities: { bounding: ['CAP_NOPE'] } })),
      'a capability name',
    );
    assert.equal(
      nativeExecBlocker(spec(), process({ rlimits: [{ type: 'RLIMIT_NOPE', soft: 1, hard: 1 }] })),
      'RLIMIT_NOPE',
    );
  });

  it('gives capability sets as bit masks', () => {
    assert.equal(capabilityMask([]), '0');
    assert.equal(capabilityMask(undefined), '0');
    assert.equal(capabilityMask(['CAP_CHOWN', 'CAP_KILL']), '21');
    assert.equal(capabilityMask(['CAP_CHECKPOINT_RESTORE']), (1n << 40n).toString(16));
    assert.equal(capabilityMask([...DEFAULT_CAPABILITIES]), 'a80425fb'); // Docker's CapBnd
    assert.equal(capabilityMask(['CAP_NOPE']), undefined);
  });

  it("reads runc's state and refuses one it cannot use", () => {
    const state = parseRuncState(
      JSON.stringify({
        init_process_pid: 42,
        init_process_start: 967340,
        cgroup_paths: {
          '': '/sys/fs/cgroup/unified/berth/x',
          cpu: '/sys/fs/cgroup/cpu/berth/x',
          cpuacct: '/sys/fs/cgroup/cpu/berth/x',
        },
      }),
    );
    assert.deepEqual(state, {
      initPid: 42,
      initStart: 967340,
      cgroupPaths: ['/sys/fs/cgroup/unified/berth/x', '/sys/fs/cgroup/cpu/berth/x'],
    });
    for (const bad of [
      {},
      { init_process_pid: 0, init_process_start: 1, cgroup_paths: {} },
      { init_process_pid: 4, init_process_start: '1', cgroup_paths: {} },
      { init_process_pid: 4, init_process_start: 1 },
      { init_process_pid: 4, init_process_start: 1, cgroup_paths: { cpu: 'relative' } },
      { init_process_pid: 4, init_process_start: 1, cgroup_paths: { cpu: 7 } },
    ])
      assert.throws(() => parseRuncState(JSON.stringify(bad)), /runc state/);
    assert.throws(() => parseRuncState('{'));
  });

  it("passes berth-exec the process's every setting", () => {
    const args = helperArgs(
      spec(),
      process({
        noNewPrivileges: true,
        rlimits: [
          { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
          { type: 'RLIMIT_CORE', soft: 2 ** 64, hard: -1 },
        ],
        oomScoreAdj: 500,
        user: { uid: 1000, gid: 1001, additionalGids: [10, 20], umask: 0o27 },
        capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], ambient: ['CAP_KILL'] },
      }),
      { initPid: 42, initStart: 7, cgroupPaths: ['/sys/fs/cgroup/pids/berth/x'] },
      '/run/berth/containers/x/seccomp.bpf',
    );
    assert.deepEqual(args, [
      'run',
      '--pid',
      '42',
      '--start',
      '7',
      '--ns',
      'uts',
      '--ns',
      'net',
      '--ns',
      'pid',
      '--ns',
      'mnt', // the mount namespace last: paths on the host are opened before
      '--cgroup',
      '/sys/fs/cgroup/pids/berth/x',
      '--uid',
      '1000',
      '--gid',
      '1001',
      '--group',
      '10',
      '--group',
      '20',
      '--umask',
      '27',
      '--bounding',
      '20',
      '--effective',
      '20',
      '--permitted',
      '0',
      '--inheritable',
      '0',
      '--ambient',
      '20',
      '--no-new-privs',
      '1',
      '--rlimit',
      '7:1024:4096',
      '--rlimit',
      '4:18446744073709551615:18446744073709551615',
      '--oom-score-adj',
      '500',
      '--seccomp',
      '/run/berth/containers/x/seccomp.bpf',
      '--cwd',
      '/work',
      '--',
      'sh',
      '-c',
      'echo hi',
    ]);
  });
});
