import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertsDirectory,
  basePath,
  cleanPath,
  dirPath,
  isWithin,
  joinPath,
  preserveTrailingDotOrSeparator,
  splitPath,
  splitPathDirEntry,
} from './go-path.js';

describe('Go path semantics', () => {
  it('cleans as path.Clean does', () => {
    const cases: [string, string][] = [
      ['', '.'],
      ['/', '/'],
      ['//a//b/', '/a/b'],
      ['a/./b/.', 'a/b'],
      ['/../../x', '/x'],
      ['../a/../../b', '../../b'],
      ['a/b/../..', '.'],
      ['/a/b/..', '/a'],
    ];
    for (const [input, want] of cases) assert.equal(cleanPath(input), want, input);
  });

  it('joins, splits, and takes base and dir as Go does', () => {
    assert.equal(joinPath('/tmp', '../../../etc/x'), '/etc/x');
    assert.equal(joinPath('/tmp', '/abs/name'), '/tmp/abs/name');
    assert.equal(joinPath('', ''), '');
    assert.deepEqual(splitPath('/d/a'), { dir: '/d/', base: 'a' });
    assert.deepEqual(splitPath('/d/'), { dir: '/d/', base: '' });
    assert.equal(basePath('/d/'), 'd');
    assert.equal(basePath('/'), '/');
    assert.equal(basePath(''), '.');
    assert.equal(basePath('/d/.'), '.');
    assert.equal(dirPath('/d/a'), '/d');
    assert.equal(dirPath('a'), '.');
  });

  it('keeps the trailing "/" or "/." that asserts a directory', () => {
    assert.equal(preserveTrailingDotOrSeparator('/d', '/d/'), '/d/');
    assert.equal(preserveTrailingDotOrSeparator('/d', 'd/.'), '/d/.');
    assert.equal(preserveTrailingDotOrSeparator('/', '/.'), '/.');
    assert.equal(preserveTrailingDotOrSeparator('/', '/'), '/');
    assert.equal(preserveTrailingDotOrSeparator('/d', '/d'), '/d');
    assert.equal(assertsDirectory('/d/'), true);
    assert.equal(assertsDirectory('/d/.'), true);
    assert.equal(assertsDirectory('/d'), false);
  });

  it('splits a path into its directory and entry, keeping a final "."', () => {
    assert.deepEqual(splitPathDirEntry('/a/b/.'), { dir: '/a/b', base: '.' });
    assert.deepEqual(splitPathDirEntry('/a/b/'), { dir: '/a', base: 'b' });
    assert.deepEqual(splitPathDirEntry('/'), { dir: '/', base: '/' });
    assert.deepEqual(splitPathDirEntry('/.'), { dir: '/', base: '.' });
  });

  it('tells whether a clean path lies within a directory', () => {
    assert.equal(isWithin('/tmp', '/tmp'), true);
    assert.equal(isWithin('/tmp', '/tmp/x'), true);
    assert.equal(isWithin('/tmp', '/tmpx'), false);
    assert.equal(isWithin('/tmp', '/'), false);
    assert.equal(isWithin('/', '/anything'), true);
  });
});
