import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { hasErrno, isBerthError } from '../errors.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capabilities.js';
import type { LinuxSeccomp } from './oci-types.js';
import {
  loadSeccompProfile,
  seccompForContainer,
  seccompNativeArch,
  type SeccompTarget,
} from './seccomp.js';

const HOST_PROFILE = '/usr/share/containers/seccomp.json';

function readHostProfile(): string | undefined {
  try {
    return readFileSync(HOST_PROFILE, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

const hostProfile = readHostProfile();
const skipHost =
  hostProfile === undefined
    ? `${HOST_PROFILE} is absent (apt install golang-github-containers-common)`
    : false;

const X86: SeccompTarget = {
  capabilities: DEFAULT_CAPABILITIES,
  arch: 'x86_64',
  kernelVersion: '6.1.0-18-amd64',
};

function allowed(seccomp: LinuxSeccomp, name: string): boolean {
  return (seccomp.syscalls ?? []).some(
    (s) => s.action === 'SCMP_ACT_ALLOW' && s.names.includes(name) && s.args === undefined,
  );
}

function invalid(pattern: RegExp) {
  return (err: unknown) => isBerthError(err, 'invalid-argument') && pattern.test(err.message);
}

describe('seccomp with the host profile', { skip: skipHost }, () => {
  const profile = loadSeccompProfile(hostProfile ?? '{}');

  it('keeps the default action and the x86_64 architectures', () => {
    const s = seccompForContainer(profile, X86);
    assert.ok(s);
    assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(s.defaultErrnoRet, 38);
    assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    assert.deepEqual(seccompForContainer(profile, { ...X86, arch: 'aarch64' })?.architectures, [
      'SCMP_ARCH_AARCH64',
      'SCMP_ARCH_ARM',
    ]);
  });

  it('leaves out the architectures the kernel cannot run', () => {
    const s = seccompForContainer(profile, { ...X86, unusableArches: ['SCMP_ARCH_X32'] });
    assert.deepEqual(s?.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
    assert.deepEqual(s?.syscalls, seccompForContainer(profile, X86)?.syscalls);
  });

  it('applies CAP_SYS_ADMIN rules only with CAP_SYS_ADMIN', () => {
    const plain = seccompForContainer(profile, X86);
    const admin = seccompForContainer(profile, {
      ...X86,
      capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'],
    });
    assert.ok(plain && admin);
    assert.ok(!allowed(plain, 'bpf'));
    assert.ok(
      plain.syscalls?.some(
        (s) => s.action === 'SCMP_ACT_ERRNO' && s.errnoRet === 1 && s.names.includes('bpf'),
      ),
    );
    assert.ok(allowed(admin, 'bpf'));
    assert.ok(
      !admin.syscalls?.some((s) => s.action === 'SCMP_ACT_ERRNO' && s.names.includes('bpf')),
    );
    assert.equal(admin.syscalls?.length, plain.syscalls?.length);
  });

  it('filters rules by architecture', () => {
    const x86 = seccompForContainer(profile, X86);
    const arm = seccompForContainer(profile, { ...X86, arch: 'aarch64' });
    assert.ok(x86 && arm);
    assert.ok(allowed(x86, 'arch_prctl') && allowed(x86, 'modify_ldt'));
    assert.ok(!allowed(x86, 'set_tls'));
    assert.ok(allowed(arm, 'set_tls') && !allowed(arm, 'arch_prctl'));
  });

  it('allows the common syscalls and audit sockets by CAP_AUDIT_WRITE', () => {
    const s = seccompForContainer(profile, X86);
    assert.ok(s);
    for (const name of ['read', 'write', 'clone', 'execve', 'chroot'])
      assert.ok(allowed(s, name), name);
    // CAP_AUDIT_WRITE is a default: socket() is allowed without the netlink-audit rules.
    assert.ok(allowed(s, 'socket'));
    const noAudit = seccompForContainer(profile, {
      ...X86,
      capabilities: DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_AUDIT_WRITE'),
    });
    assert.ok(noAudit && !allowed(noAudit, 'socket'));
    assert.ok(
      noAudit.syscalls?.some(
        (s) => s.names.includes('socket') && s.args?.[0]?.op === 'SCMP_CMP_EQ',
      ),
    );
    // CAP_SYS_CHROOT dropped: chroot is refused.
    const noChroot = seccompForContainer(profile, { ...X86, capabilities: ['CAP_CHOWN'] });
    assert.ok(noChroot && !allowed(noChroot, 'chroot'));
  });

  it('gives all capability rules with every capability', () => {
    const s = seccompForContainer(profile, { ...X86, capabilities: ALL_CAPABILITIES });
    assert.ok(s);
    for (const name of [
      'bpf',
      'ptrace',
      'kcmp',
      'init_module',
      'acct',
      'iopl',
      'settimeofday',
      'vhangup',
      'open_by_handle_at',
    ]) {
      assert.ok(allowed(s, name), name);
    }
  });
});

describe('seccomp profiles', () => {
  const text = JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
    syscalls: [
      { names: ['new_call'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.2' } },
      { names: ['old_call'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '6.2' } },
      {
        name: 'single',
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 1, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
      },
      { names: ['x86_only'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['arm64'] } },
      {
        names: ['two_caps'],
        action: 'SCMP_ACT_ALLOW',
        includes: { caps: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] },
      },
      {
        names: ['not_with_either'],
        action: 'SCMP_ACT_ALLOW',
        excludes: { caps: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] },
      },
    ],
  });

  it('compares the minimum kernel by major.minor', () => {
    const p = loadSeccompProfile(text);
    const names = (kernelVersion: string) =>
      seccompForContainer(p, { ...X86, kernelVersion })?.syscalls?.map((s) => s.names[0]);
    assert.deepEqual(names('6.1.0-18-amd64'), [
      'old_call',
      'single',
      'x86_only',
      'not_with_either',
    ]);
    assert.deepEqual(names('6.2'), ['new_call', 'single', 'x86_only', 'not_with_either']);
    assert.deepEqual(names('7.0.1'), ['new_call', 'single', 'x86_only', 'not_with_either']);
  });

  it('needs every included capability and none of the excluded ones', () => {
    const p = loadSeccompProfile(text);
    const names = (capabilities: string[]) =>
      seccompForContainer(p, { ...X86, capabilities })?.syscalls?.map((s) => s.names[0]);
    assert.ok(!names(['CAP_SYS_ADMIN'])?.includes('two_caps'));
    assert.ok(!names(['CAP_SYS_ADMIN'])?.includes('not_with_either'));
    assert.ok(names(['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'])?.includes('two_caps'));
    assert.ok(
      !names(['CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_NET_RAW'])?.includes('not_with_either'),
    );
    assert.ok(
      !seccompForContainer(p, { ...X86, arch: 'arm64' })?.syscalls?.some(
        (s) => s.names[0] === 'x86_only',
      ),
    );
  });

  it('turns name into names and leaves out empty fields', () => {
    const s = seccompForContainer(loadSeccompProfile(text), X86);
    assert.deepEqual(
      s?.syscalls?.find((c) => c.names[0] === 'single'),
      {
        names: ['single'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }],
      },
    );
    assert.equal(s?.defaultErrnoRet, undefined);
    assert.deepEqual(s?.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
  });

  it('names the arch as libseccomp does', () => {
    assert.equal(seccompNativeArch('x86_64'), 'amd64');
    assert.equal(seccompNativeArch('amd64'), 'amd64');
    assert.equal(seccompNativeArch('i686'), 'x86');
    assert.equal(seccompNativeArch('aarch64'), 'arm64');
  });

  it('refuses bad profiles, naming the problem', () => {
    assert.throws(() => loadSeccompProfile('{'), invalid(/^Decoding seccomp profile failed: /));
    assert.throws(() => loadSeccompProfile('[]'), invalid(/\(root\): expected an object/));
    assert.throws(
      () => loadSeccompProfile('{"defaultAction":"SCMP_ACT_NOPE"}'),
      invalid(/defaultAction: unknown action "SCMP_ACT_NOPE"/),
    );
    assert.throws(
      () =>
        loadSeccompProfile(
          '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW"},{"names":["b"],"action":1}]}',
        ),
      invalid(/syscalls\[1\]\.action: unknown action 1/),
    );
    assert.throws(
      () =>
        loadSeccompProfile(
          '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]}',
        ),
      invalid(/'name' and 'names'/),
    );
    assert.throws(
      () =>
        loadSeccompProfile(
          '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}',
        ),
      invalid(/'architectures' and 'archMap'/),
    );
    assert.throws(
      () =>
        loadSeccompProfile(
          '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"EQ"}]}]}',
        ),
      invalid(/syscalls\[0\]\.args\[0\]\.op: unknown operator "EQ"/),
    );
    assert.throws(
      () =>
        loadSeccompProfile(
          '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"six"}}]}',
        ),
      invalid(/syscalls\[0\]\.includes\.minKernel: improper kernel version format: six/),
    );
  });
});
