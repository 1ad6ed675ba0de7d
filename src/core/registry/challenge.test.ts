import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges } from './challenge.js';

test('parses a bearer challenge with quoted params and commas inside quotes', () => {
  const [c] = parseChallenges(
    'Bearer realm="http://127.0.0.1:1/token",service="reg",scope="repository:a/b:pull,push"',
  );
  assert.deepEqual(c, {
    scheme: 'bearer',
    params: {
      realm: 'http://127.0.0.1:1/token',
      service: 'reg',
      scope: 'repository:a/b:pull,push',
    },
  });
});

test('parses basic, unquoted values and several challenges', () => {
  const list = parseChallenges(['Basic realm="x y"', 'Bearer realm=r, error=insufficient_scope']);
  assert.equal(list.length, 2);
  assert.deepEqual(list[0], { scheme: 'basic', params: { realm: 'x y' } });
  assert.deepEqual(list[1], {
    scheme: 'bearer',
    params: { realm: 'r', error: 'insufficient_scope' },
  });
});

test('nothing to parse gives no challenge', () => {
  assert.deepEqual(parseChallenges(undefined), []);
  assert.deepEqual(parseChallenges(''), []);
});
