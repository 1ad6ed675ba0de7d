// Layer sizes as Docker counts SizeRw: files and symlinks by their lstat size, directories
// not at all, a hard-linked inode once.

import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { changedSize, directorySize } from './layer-size.js';

describe('layer sizes', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-size-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('sums files and symlinks under a directory, each inode once', async () => {
    const dir = join(work, 'upper');
    await mkdir(join(dir, 'a/b'), { recursive: true });
    await writeFile(join(dir, 'a/b/f'), 'x'.repeat(1000));
    await writeFile(join(dir, 'g'), 'y'.repeat(24));
    await writeFile(join(dir, 'empty'), '');
    await link(join(dir, 'a/b/f'), join(dir, 'hard'));
    await symlink('a/b/f', join(dir, 'link')); // lstat size: 5, the target's length
    assert.equal(await directorySize(dir), 1000 + 24 + 5);
    assert.equal(await directorySize(join(dir, 'a')), 1000);
  });

  it('counts an empty directory as 0 and a missing one as an error', async () => {
    await mkdir(join(work, 'none'));
    assert.equal(await directorySize(join(work, 'none')), 0);
    await assert.rejects(directorySize(join(work, 'missing')), { code: 'ENOENT' });
  });

  it("counts a vfs layer's added and modified entries, not its deletions or the rest", async () => {
    const layer = join(work, 'full');
    await mkdir(join(layer, 'etc'), { recursive: true });
    await writeFile(join(layer, 'etc/passwd'), 'p'.repeat(70));
    await writeFile(join(layer, 'new'), 'n'.repeat(30));
    await writeFile(join(layer, 'untouched'), 'u'.repeat(500));
    const size = await changedSize(layer, [
      { path: '/etc', kind: 'modified' },
      { path: '/etc/passwd', kind: 'modified' },
      { path: '/new', kind: 'added' },
      { path: '/gone', kind: 'deleted' },
    ]);
    assert.equal(size, 100);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(directorySize(work, { signal: controller.signal }), {
      message: 'context canceled',
    });
  });

  it('counts at most the entries it is allowed', async () => {
    const dir = join(work, 'many');
    await mkdir(dir);
    for (let i = 0; i < 10; i++) await writeFile(join(dir, `f${i}`), 'x');
    assert.equal(await directorySize(dir), 10);
    assert.equal(await directorySize(dir, { limit: 4 }), 4);
  });
});
