import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ScopedPathError, ScopedRoot } from '../../lib/scoped-fs/scoped-root.js';
import { isBerthError } from '../errors.js';
import { containerPath, findArchivePath, findExtractionPoint } from './copy-paths.js';
import { GO_MODE_DIR, GO_MODE_SYMLINK } from './file-mode.js';

describe('archive API paths', () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-copy-paths-'));
  let root: ScopedRoot;

  before(() => {
    mkdirSync(join(base, 'd'));
    writeFileSync(join(base, 'd', 'a'), 'hi\n');
    symlinkSync('/', join(base, 'd', 'rootlink'));
    symlinkSync('a', join(base, 'd', 'alink'));
    symlinkSync('/nowhere/x', join(base, 'd', 'dangling'));
    root = ScopedRoot.open(base);
  });
  after(() => {
    root.close();
    rmSync(base, { recursive: true, force: true });
  });

  function stat(path: string): { name: string; archiveName: string; mode: number; link: string } {
    const found = findArchivePath(root, path);
    root.release(found.found.dir);
    return {
      name: found.stat.name,
      archiveName: found.archiveName,
      mode: found.stat.mode,
      link: found.stat.linkTarget,
    };
  }

  it('reads a path as absolute in the container, keeping "/" and "/."', () => {
    assert.equal(containerPath('d/a'), '/d/a');
    assert.equal(containerPath('d/'), '/d/');
    assert.equal(containerPath('/d/./'), '/d/./');
    assert.equal(containerPath('../../d'), '/d');
    assert.equal(containerPath('d/.'), '/d/.');
    assert.equal(containerPath('/'), '/');
  });

  it('names the stat and the archive after the path as asked', () => {
    assert.deepEqual(stat('/d/a'), { name: 'a', archiveName: 'a', mode: 0o644, link: '' });
    assert.equal(stat('/d/.').name, '.');
    assert.equal(stat('/d/').name, 'd');
    assert.equal(stat('/').name, '/');
    assert.equal(stat('/d').mode, GO_MODE_DIR + 0o755);
  });

  it('gives a symlink with its target resolved inside the root', () => {
    assert.deepEqual(stat('/d/alink'), {
      name: 'alink',
      archiveName: 'alink',
      mode: GO_MODE_SYMLINK + 0o777,
      link: '/d/a',
    });
    assert.equal(stat('/d/rootlink').link, '/');
    assert.equal(stat('/d/dangling').link, '/nowhere/x');
    // Asserting a directory follows the link.
    assert.equal(stat('/d/rootlink/').mode, GO_MODE_DIR + (stat('/').mode % 2 ** 9));
  });

  it('fails with ENOENT for a missing path and ENOTDIR through a file', () => {
    assert.throws(
      () => findArchivePath(root, '/nothing'),
      (err: unknown) => err instanceof ScopedPathError && err.code === 'ENOENT',
    );
    assert.throws(
      () => findArchivePath(root, '/d/a/x'),
      (err: unknown) => err instanceof ScopedPathError && err.code === 'ENOTDIR',
    );
  });

  it('extracts into the directory a path names, every symlink followed', () => {
    assert.equal(findExtractionPoint(root, '/d/rootlink'), '/');
    assert.equal(findExtractionPoint(root, 'd'), '/d');
    assert.throws(
      () => findExtractionPoint(root, '/d/alink'),
      (err: unknown) =>
        isBerthError(err, 'internal') && err.message === 'extraction point is not a directory',
    );
    assert.throws(
      () => findExtractionPoint(root, '/nothing'),
      (err: unknown) => err instanceof ScopedPathError && err.code === 'ENOENT',
    );
  });
});
