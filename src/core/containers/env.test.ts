import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageAndRequestEnv, mergeEnv } from './env.js';

describe('environment', () => {
  it('replaces, appends and, for a bare name, removes', () => {
    assert.deepEqual(mergeEnv(['A=1', 'B=2', 'C=3'], ['B=x', 'D=4', 'C', 'E']), [
      'A=1',
      'B=x',
      'D=4',
    ]);
    assert.deepEqual(mergeEnv(null, ['X', 'Y=1']), ['Y=1']);
    assert.deepEqual(mergeEnv(['A=1'], undefined), ['A=1']);
  });

  it("keeps the request's entries first at create, as Docker's Config.Env shows", () => {
    assert.deepEqual(imageAndRequestEnv(['PATH=/bin', 'LANG=C'], ['X', 'LANG=fr', 'Y=1']), [
      'X',
      'LANG=fr',
      'Y=1',
      'PATH=/bin',
    ]);
    assert.deepEqual(imageAndRequestEnv(['PATH=/bin'], []), ['PATH=/bin']);
    assert.deepEqual(imageAndRequestEnv(null, null), []);
  });
});
