import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringifyJson } from './json.js';

describe('stringifyJson', () => {
  it('writes bigints as exact JSON numbers', () => {
    assert.equal(
      stringifyJson({ a: 1, t: 1795393579619053014n, n: [-5n] }),
      '{"a":1,"t":1795393579619053014,"n":[-5]}',
    );
  });
  it('leaves strings that look like the marker alone', () => {
    assert.equal(stringifyJson({ s: 'bigint:12' }), '{"s":"bigint:12"}');
  });
  it('is JSON.stringify for everything else', () => {
    const value = { x: 'a"b', y: null, z: [true, 1.5] };
    assert.equal(stringifyJson(value), JSON.stringify(value));
  });
});
