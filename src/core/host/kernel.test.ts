import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIN_KERNEL,
  hostRefusal,
  kernelAtLeast,
  kernelRunsX32,
  parseKernelVersion,
} from './kernel.js';

describe('parseKernelVersion', () => {
  it('parses uname -r strings', () => {
    assert.deepEqual(parseKernelVersion('6.18.44-fc-v657'), {
      major: 6,
      minor: 18,
      patch: 44,
      raw: '6.18.44-fc-v657',
    });
    assert.deepEqual(parseKernelVersion(' 5.10.0-26-amd64\n'), {
      major: 5,
      minor: 10,
      patch: 0,
      raw: '5.10.0-26-amd64',
    });
  });

  it('defaults a missing patch to 0', () => {
    assert.deepEqual(parseKernelVersion('4.19'), { major: 4, minor: 19, patch: 0, raw: '4.19' });
  });

  it('returns undefined for text that is no version', () => {
    assert.equal(parseKernelVersion(''), undefined);
    assert.equal(parseKernelVersion('linux'), undefined);
    assert.equal(parseKernelVersion('5'), undefined);
  });
});

describe('kernelAtLeast', () => {
  const v = (s: string) => parseKernelVersion(s)!;
  it('compares major then minor', () => {
    assert.equal(kernelAtLeast(v('4.0.0'), 4, 0), true);
    assert.equal(kernelAtLeast(v('4.19'), 4, 20), false);
    assert.equal(kernelAtLeast(v('4.20'), 4, 19), true);
    assert.equal(kernelAtLeast(v('5.0'), 4, 99), true);
    assert.equal(kernelAtLeast(v('3.99'), 4, 0), false);
  });
});

describe('hostRefusal', () => {
  const ok = { platform: 'linux', uid: 0, kernel: '6.1.0' };

  it('accepts root on a recent Linux kernel', () => {
    assert.equal(hostRefusal(ok), undefined);
    assert.equal(
      hostRefusal({ ...ok, kernel: `${MIN_KERNEL.major}.${MIN_KERNEL.minor}.0` }),
      undefined,
    );
  });

  it('refuses other platforms', () => {
    assert.equal(
      hostRefusal({ ...ok, platform: 'darwin' }),
      'berth daemon runs only on Linux (this is darwin)',
    );
  });

  it('refuses a non-root uid', () => {
    assert.match(hostRefusal({ ...ok, uid: 1000 }) ?? '', /needs to be started as root/);
  });

  it('refuses a kernel older than the minimum', () => {
    assert.equal(
      hostRefusal({ ...ok, kernel: '3.10.0-1160.el7.x86_64' }),
      'kernel 3.10.0-1160.el7.x86_64 is too old: berth needs at least 4.0',
    );
  });

  it('refuses an unparseable kernel version', () => {
    assert.equal(hostRefusal({ ...ok, kernel: 'weird' }), 'cannot read the kernel version "weird"');
  });

  it('checks the platform before the uid', () => {
    assert.match(hostRefusal({ platform: 'win32', uid: 1000, kernel: 'x' }) ?? '', /only on Linux/);
  });
});

describe('kernelRunsX32', () => {
  it('reads the kernel config and, for Debian kernels, the command line', () => {
    assert.equal(kernelRunsX32(undefined, ''), undefined);
    assert.equal(
      kernelRunsX32('CONFIG_IA32_EMULATION=y\n# CONFIG_X86_X32_ABI is not set\n', ''),
      false,
    );
    assert.equal(kernelRunsX32('CONFIG_X86_X32_ABI=y\n', ''), true);
    assert.equal(kernelRunsX32('CONFIG_X86_X32=y\n', ''), true);
    const debian = 'CONFIG_X86_X32_ABI=y\nCONFIG_X86_X32_DISABLED=y\n';
    assert.equal(kernelRunsX32(debian, 'root=/dev/sda1 quiet'), false);
    assert.equal(kernelRunsX32(debian, 'root=/dev/sda1 syscall.x32=y quiet'), true);
  });
});
