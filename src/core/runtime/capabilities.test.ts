import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import {
  ALL_CAPABILITIES,
  capabilitiesInMask,
  capabilitiesUpTo,
  DEFAULT_CAPABILITIES,
  effectiveCapabilities,
  normalizeCapabilities,
} from './capabilities.js';

describe('capabilities', () => {
  it("has Docker's 14 defaults and the 41 capabilities of Linux", () => {
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    assert.equal(ALL_CAPABILITIES.length, 41);
    assert.equal(ALL_CAPABILITIES[21], 'CAP_SYS_ADMIN');
    assert.equal(ALL_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
    assert.ok(DEFAULT_CAPABILITIES.every((c) => ALL_CAPABILITIES.includes(c)));
    assert.deepEqual(capabilitiesUpTo(37).at(-1), 'CAP_AUDIT_READ');
  });

  it('gives the defaults when nothing is added or dropped', () => {
    assert.deepEqual(effectiveCapabilities([], [], false), [...DEFAULT_CAPABILITIES]);
  });

  it('gives everything when privileged', () => {
    assert.deepEqual(effectiveCapabilities(['foo'], [], true), [...ALL_CAPABILITIES]);
    assert.deepEqual(effectiveCapabilities([], [], true, capabilitiesUpTo(37)).length, 38);
  });

  it('drops then adds, accepting names without CAP_ and in any case', () => {
    const caps = effectiveCapabilities(
      ['net_admin', 'Cap_Sys_Ptrace'],
      ['CHOWN', 'cap_kill'],
      false,
    );
    assert.ok(!caps.includes('CAP_CHOWN'));
    assert.ok(!caps.includes('CAP_KILL'));
    assert.deepEqual(caps.slice(-2), ['CAP_NET_ADMIN', 'CAP_SYS_PTRACE']);
    assert.equal(caps.length, 14);
  });

  it('adds ALL minus the drops, or drops ALL and keeps only the adds', () => {
    const all = effectiveCapabilities(['all'], ['sys_admin'], false);
    assert.equal(all.length, 40);
    assert.ok(!all.includes('CAP_SYS_ADMIN'));
    assert.deepEqual(effectiveCapabilities(['chown', 'KILL'], ['ALL'], false), [
      'CAP_CHOWN',
      'CAP_KILL',
    ]);
    assert.deepEqual(effectiveCapabilities([], ['ALL'], false), []);
  });

  it('does not repeat a default that is added again', () => {
    assert.deepEqual(effectiveCapabilities(['CHOWN'], [], false), [...DEFAULT_CAPABILITIES]);
  });

  it("refuses an unknown capability with Docker's words", () => {
    assert.throws(
      () => effectiveCapabilities(['foo'], [], false),
      (err: unknown) =>
        isBerthError(err, 'invalid-argument') && err.message === 'unknown capability: "CAP_FOO"',
    );
    assert.throws(
      () => normalizeCapabilities(['bpf'], capabilitiesUpTo(37)),
      /capability not supported by your kernel or not available in the current environment: "CAP_BPF"/,
    );
  });
});

describe('capabilitiesInMask', () => {
  it('lists the capabilities whose bits are set, in kernel order', () => {
    assert.deepEqual(capabilitiesInMask('0'), []);
    assert.deepEqual(capabilitiesInMask('3'), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE']);
    assert.equal(capabilitiesInMask('1fffffeffff').includes('CAP_SYS_MODULE'), false);
    assert.equal(capabilitiesInMask('1fffffeffff').length, 40);
    assert.equal(capabilitiesInMask('1ffffffffff').length, 41);
  });
});
