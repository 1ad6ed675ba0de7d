import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  API_VERSION,
  MIN_API_VERSION,
  compareApiVersions,
  splitVersionPrefix,
  unsupportedVersionMessage,
} from './api-version.js';

describe('compareApiVersions', () => {
  it('compares numerically, not as text', () => {
    assert.ok(compareApiVersions('1.41', '1.9') > 0);
    assert.ok(compareApiVersions('1.9', '1.41') < 0);
    assert.equal(compareApiVersions('1.41', '1.41'), 0);
    assert.ok(compareApiVersions('2.0', '1.99') > 0);
  });
});

describe('splitVersionPrefix', () => {
  it('splits a /vX.Y prefix', () => {
    assert.deepEqual(splitVersionPrefix('/v1.41/containers/json'), {
      version: '1.41',
      path: '/containers/json',
      explicit: true,
    });
  });

  it('maps a bare prefix to /', () => {
    assert.deepEqual(splitVersionPrefix('/v1.24'), { version: '1.24', path: '/', explicit: true });
  });

  it('uses the current version without a prefix', () => {
    assert.deepEqual(splitVersionPrefix('/_ping'), {
      version: API_VERSION,
      path: '/_ping',
      explicit: false,
    });
    assert.equal(splitVersionPrefix('/v1/info').explicit, false);
    assert.equal(splitVersionPrefix('/v1.41x/info').explicit, false);
  });
});

describe('unsupportedVersionMessage', () => {
  it('accepts the supported range', () => {
    assert.equal(API_VERSION, '1.41');
    assert.equal(MIN_API_VERSION, '1.24');
    assert.equal(unsupportedVersionMessage('1.41'), undefined);
    assert.equal(unsupportedVersionMessage('1.24'), undefined);
    assert.equal(unsupportedVersionMessage('1.30'), undefined);
  });

  it('words a too-new version as Docker does', () => {
    assert.equal(
      unsupportedVersionMessage('1.45'),
      'client version 1.45 is too new. Maximum supported API version is 1.41',
    );
  });

  it('words a too-old version as Docker does', () => {
    assert.equal(
      unsupportedVersionMessage('1.12'),
      'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
    );
  });
});
