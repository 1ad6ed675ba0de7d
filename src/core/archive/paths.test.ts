import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBerthError } from '../errors.js';
import { classifyWhiteout, normaliseEntryName, splitPath } from './paths.js';

test('normaliseEntryName strips ./, empty and . components', () => {
  assert.equal(normaliseEntryName('./a//b/./c/'), 'a/b/c');
  assert.equal(normaliseEntryName('./'), '');
  assert.equal(normaliseEntryName('.'), '');
  assert.equal(normaliseEntryName('a..b/..c'), 'a..b/..c');
});

test('normaliseEntryName refuses .., absolute names and NUL, naming the entry', () => {
  for (const name of ['../x', 'a/../../x', 'a/..', '/etc/passwd', 'a\0b', '..']) {
    assert.throws(
      () => normaliseEntryName(name),
      (err) => isBerthError(err, 'invalid-argument') && err.message.includes(JSON.stringify(name)),
    );
  }
  assert.throws(() => normaliseEntryName('../../etc/passwd', 'link'), /"link"/);
});

test('splitPath', () => {
  assert.deepEqual(splitPath('a/b/c'), { parent: 'a/b', base: 'c' });
  assert.deepEqual(splitPath('c'), { parent: '', base: 'c' });
});

test('classifyWhiteout', () => {
  assert.equal(classifyWhiteout('a/b', 'a/b'), undefined);
  assert.deepEqual(classifyWhiteout('a/.wh.b', 'a/.wh.b'), { kind: 'whiteout', path: 'a/b' });
  assert.deepEqual(classifyWhiteout('.wh.b', '.wh.b'), { kind: 'whiteout', path: 'b' });
  assert.deepEqual(classifyWhiteout('a/.wh..wh..opq', 'x'), { kind: 'opaque', dir: 'a' });
  assert.deepEqual(classifyWhiteout('.wh..wh..opq', 'x'), { kind: 'opaque', dir: '' });
  assert.deepEqual(classifyWhiteout('.wh..wh.plnk', 'x'), { kind: 'ignored' });
  assert.throws(() => classifyWhiteout('a/.wh...', 'a/.wh...'), /"a\/.wh..."/);
  assert.throws(() => classifyWhiteout('a/.wh.', 'a/.wh.'), /invalid|no valid name/);
});
