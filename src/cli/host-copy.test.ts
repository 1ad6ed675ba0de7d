import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyRename,
  CopyError,
  getRebaseName,
  prepareArchiveCopy,
  splitCpArg,
  type CopyInfo,
} from './host-copy.js';

const info = (path: string, exists: boolean, isDir: boolean, rebaseName = ''): CopyInfo => ({
  path,
  exists,
  isDir,
  rebaseName,
});

describe('berth cp host rules', () => {
  it('splits CONTAINER:PATH from local paths as the Docker CLI does', () => {
    assert.deepEqual(splitCpArg('c1:/etc/hosts'), { container: 'c1', path: '/etc/hosts' });
    assert.deepEqual(splitCpArg('c1:rel'), { container: 'c1', path: 'rel' });
    assert.deepEqual(splitCpArg('/abs/a:b'), { container: '', path: '/abs/a:b' });
    assert.deepEqual(splitCpArg('./a:b'), { container: '', path: './a:b' });
    assert.deepEqual(splitCpArg('file'), { container: '', path: 'file' });
    assert.deepEqual(splitCpArg('-'), { container: '', path: '-' });
  });

  it('renames the first occurrence, and prefixes for the root', () => {
    assert.equal(applyRename('d/a', { from: 'd', to: 'out' }), 'out/a');
    assert.equal(applyRename('./a', { from: '.', to: 'out' }), 'out/a');
    assert.equal(applyRename('/bin/', { from: '/', to: 'out' }), 'out/bin/');
    assert.equal(applyRename('other', { from: 'x', to: 'y' }), 'other');
  });

  it('keeps the asked name of a followed symlink', () => {
    assert.deepEqual(getRebaseName('/d/link', '/etc'), { path: '/etc', rebaseName: 'link' });
    assert.deepEqual(getRebaseName('/d/link/', '/etc'), { path: '/etc/', rebaseName: 'link' });
    assert.deepEqual(getRebaseName('/d/link/.', '/etc'), { path: '/etc/.', rebaseName: '' });
    assert.deepEqual(getRebaseName('/d/same', '/x/same'), { path: '/x/same', rebaseName: '' });
  });

  it('prepares the copy as PrepareArchiveCopy does', () => {
    // Into an existing directory: as is.
    assert.deepEqual(prepareArchiveCopy(info('/src/d', true, true), info('/out', true, true)), {
      dstDir: '/out',
    });
    // A file onto a file, or to a new name: extracted beside it, renamed.
    assert.deepEqual(prepareArchiveCopy(info('/src/f', true, false), info('/out/g', true, false)), {
      dstDir: '/out',
      rename: { from: 'f', to: 'g' },
    });
    assert.deepEqual(
      prepareArchiveCopy(info('/src/d/.', true, true), info('/out/new', false, false)),
      {
        dstDir: '/out',
        rename: { from: '.', to: 'new' },
      },
    );
    assert.deepEqual(
      prepareArchiveCopy(info('/etc', true, true, 'link'), info('/out/x', false, false)),
      { dstDir: '/out', rename: { from: 'link', to: 'x' } },
    );
    assert.throws(
      () => prepareArchiveCopy(info('/src/d', true, true), info('/out/file', true, false)),
      (err: unknown) => err instanceof CopyError && err.message === 'cannot copy directory',
    );
    assert.throws(
      () => prepareArchiveCopy(info('/src/f', true, false), info('/out/new/', false, false)),
      (err: unknown) => err instanceof CopyError && err.message === 'no such directory',
    );
  });
});
