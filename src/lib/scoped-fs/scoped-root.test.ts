import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_SYMLINKS, ScopedPathError, ScopedRoot } from './scoped-root.js';

describe('ScopedRoot', () => {
  let base: string;
  let rootDir: string;
  let root: ScopedRoot;

  before(() => {
    base = mkdtempSync(join(tmpdir(), 'berth-scoped-'));
    rootDir = join(base, 'root');
    // Outside the root: what no lookup may ever reach.
    mkdirSync(join(base, 'etc'));
    writeFileSync(join(base, 'etc', 'secret'), 'host');
    mkdirSync(join(rootDir, 'etc'), { recursive: true });
    mkdirSync(join(rootDir, 'd', 'sub'), { recursive: true });
    writeFileSync(join(rootDir, 'etc', 'secret'), 'container');
    writeFileSync(join(rootDir, 'd', 'file'), 'x');
    symlinkSync('/', join(rootDir, 'd', 'to-root'));
    symlinkSync('../../../../..', join(rootDir, 'd', 'up'));
    symlinkSync('/etc', join(rootDir, 'etclink'));
    symlinkSync('file', join(rootDir, 'd', 'rel'));
    symlinkSync('missing/x', join(rootDir, 'd', 'dangling'));
    symlinkSync('loop', join(rootDir, 'loop'));
    root = ScopedRoot.open(rootDir);
  });
  after(() => {
    root.close();
    rmSync(base, { recursive: true, force: true });
  });

  function find(path: string, options = {}): { path: string; name: string; exists: boolean } {
    const found = root.find(path, options);
    root.release(found.dir);
    return { path: found.path, name: found.name, exists: found.stat !== undefined };
  }

  it('resolves absolute symlinks against the root, not the host', () => {
    assert.deepEqual(find('/d/to-root/etc/secret'), {
      path: '/etc/secret',
      name: 'secret',
      exists: true,
    });
    assert.equal(root.readText('/etclink/secret', 100), 'container');
    assert.equal(root.readText('/d/to-root/etc/secret', 100), 'container');
  });

  it('never climbs above the root through ".." or a relative symlink', () => {
    assert.equal(find('/../../etc/secret').path, '/etc/secret');
    assert.equal(find('/d/up/etc/secret').path, '/etc/secret');
    assert.equal(root.readText('/d/up/../../etc/secret', 100), 'container');
  });

  it('leaves the last component alone unless asked to follow it', () => {
    assert.deepEqual(find('/d/to-root'), { path: '/d/to-root', name: 'to-root', exists: true });
    assert.deepEqual(find('/d/to-root', { follow: true }), { path: '/', name: '', exists: true });
    assert.deepEqual(find('/d/rel', { follow: true }), {
      path: '/d/file',
      name: 'file',
      exists: true,
    });
    // A trailing slash or "/." asserts a directory: the link is followed.
    assert.deepEqual(find('/d/to-root/'), { path: '/', name: '', exists: true });
    assert.deepEqual(find('/d/.'), { path: '/d', name: '', exists: true });
  });

  it('reports a missing last component, and refuses a missing or non-directory parent', () => {
    assert.deepEqual(find('/d/nothing'), { path: '/d/nothing', name: 'nothing', exists: false });
    assert.throws(
      () => root.find('/nothing/x'),
      (err: unknown) => err instanceof ScopedPathError && err.code === 'ENOENT',
    );
    assert.throws(
      () => root.find('/d/file/x'),
      (err: unknown) =>
        err instanceof ScopedPathError &&
        err.code === 'ENOTDIR' &&
        err.message === 'lstat /d/file/x: not a directory',
    );
    assert.throws(
      () => root.find('/loop/x'),
      (err: unknown) => err instanceof ScopedPathError && err.code === 'ELOOP',
    );
    assert.ok(MAX_SYMLINKS > 0);
  });

  it('follows a dangling symlink to the missing name it points at', () => {
    assert.throws(
      () => root.find('/d/dangling', { follow: true }),
      (err: unknown) => err instanceof ScopedPathError && err.code === 'ENOENT',
    );
  });

  it('creates missing parents inside the root, through symlinks, when asked', () => {
    const found = root.find('/d/to-root/new/deeper/leaf', { createParents: true });
    root.release(found.dir);
    assert.equal(found.path, '/new/deeper/leaf');
    assert.deepEqual(readdirSync(join(rootDir, 'new')), ['deeper']);
    assert.deepEqual(readdirSync(base).sort(), ['etc', 'root']);
    const dir = root.openDir('/made/here', { create: true });
    assert.equal(dir.path, '/made/here');
    root.release(dir);
  });

  it('reads no file that is missing, a directory, or through a loop', () => {
    assert.equal(root.readText('/nothing', 10), undefined);
    assert.equal(root.readText('/d', 10), undefined);
    assert.equal(root.readText('/loop', 10), undefined);
    assert.equal(root.readText('/etc/secret', 3), 'con');
  });
});
