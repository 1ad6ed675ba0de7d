import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { assertLayerId, isLayerId } from './layer-id.js';

describe('layer ids', () => {
  it('accepts [a-z0-9]{1,64}', () => {
    assert.ok(isLayerId('a'));
    assert.ok(isLayerId('0123456789abcdef'.repeat(4)));
  });

  it('refuses anything that could escape or clash in the driver root', () => {
    for (const bad of ['', 'A', '../x', 'a/b', '.tmp-a', 'a'.repeat(65), 'l']) {
      assert.equal(isLayerId(bad), false, bad);
      assert.throws(
        () => assertLayerId(bad),
        (err: unknown) => isBerthError(err, 'invalid-argument'),
      );
    }
  });
});
