// packDirectory, as root: pack → apply gives the same tree; overlay whiteouts become `.wh.`
// entries again.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { applyLayer } from '../../../src/core/archive/apply.js';
import { packDirectory } from '../../../src/core/archive/pack.js';
import { encodeTarHeader, padding } from '../../../src/core/archive/tar-header.js';
import { createTarExtract } from '../../../src/core/archive/tar-extract.js';
import { isBerthError } from '../../../src/core/errors.js';
import { getXattr, makeTar, MTIME, streamOf, withDirs, type TarEntry } from './helpers.js';

const TREE: TarEntry[] = [
  { name: 'd/', type: 'directory', mode: 0o750, uid: 1000, gid: 1000, mtime: MTIME + 1 },
  { name: 'd/f', content: 'hello', mode: 0o640, uid: 1000, gid: 1000, mtime: MTIME + 2 },
  { name: 'd/link', type: 'symlink', linkname: 'f', uid: 1000, gid: 1000, mtime: MTIME + 3 },
  { name: 'd/hard', type: 'link', linkname: 'd/f' },
  { name: 'bin/su', content: 'su', mode: 0o4755 },
  { name: 'tmp/', type: 'directory', mode: 0o1777 },
  { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'run/fifo', type: 'fifo', mode: 0o620, uid: 1000 },
  { name: `long/${'n'.repeat(120)}/${'m'.repeat(120)}`, content: 'long name' },
];

/** Everything about a tree that a layer carries, by path. */
async function describeTree(root: string, dir = ''): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of (await readdir(join(root, dir))).sort()) {
    const rel = dir === '' ? name : `${dir}/${name}`;
    const path = join(root, rel);
    const s = await lstat(path);
    out[rel] = {
      type: s.mode & 0o170000,
      mode: s.mode & 0o7777,
      owner: `${s.uid}:${s.gid}`,
      mtime: Math.floor(s.mtimeMs / 1000),
      rdev: s.rdev,
      nlink: s.nlink,
      content: s.isFile()
        ? createHash('sha256')
            .update(await readFile(path))
            .digest('hex')
        : undefined,
      link: s.isSymbolicLink() ? await readlink(path) : undefined,
      xattrs: [getXattr(path, 'user.test'), getXattr(path, 'security.capability')],
    };
    if (s.isDirectory()) Object.assign(out, await describeTree(root, rel));
  }
  return out;
}

async function entryNames(tar: Buffer): Promise<Array<{ name: string; pax: unknown }>> {
  const extract = createTarExtract();
  const names: Array<{ name: string; pax: unknown }> = [];
  const reading = (async () => {
    for await (const entry of extract) {
      names.push({ name: entry.header.name, pax: entry.header.pax });
      entry.resume();
    }
  })();
  extract.end(tar);
  await reading;
  return names;
}

describe('packDirectory', () => {
  test('pack then apply gives the same tree', async () => {
    await withDirs(async ({ base, target }) => {
      await applyLayer(streamOf(await makeTar(TREE)), { target, whiteouts: 'overlay' });
      const capability = Buffer.from('0100000200200080000000000000000000000000', 'hex');
      const xattrFile = encodeTarHeader({
        name: 'bin/ping',
        type: 'file',
        mode: 0o755,
        uid: 0,
        gid: 0,
        size: 1,
        mtime: MTIME,
        xattrs: [
          ['user.test', Buffer.from('hi')],
          ['security.capability', capability],
        ],
      });
      const withXattrs = Buffer.concat([
        xattrFile,
        Buffer.from('p'),
        padding(1),
        Buffer.alloc(1024),
      ]);
      await applyLayer(streamOf(withXattrs), { target, whiteouts: 'overlay' });

      const copy = join(base, 'copy');
      await mkdir(copy);
      const tar = await buffer(packDirectory({ root: target }));
      const { size } = await applyLayer(streamOf(tar), { target: copy, whiteouts: 'overlay' });
      assert.equal(size, 5 + 2 + 9 + 1 + 1); // the last: a symlink's one-byte target
      assert.deepEqual(await describeTree(copy), await describeTree(target));
      assert.equal(
        getXattr(join(copy, 'bin/ping'), 'security.capability'),
        `0x${capability.toString('hex')}`,
      );

      const again = await buffer(packDirectory({ root: target }));
      assert.ok(tar.equals(again), 'packing is deterministic');
      const names = (await entryNames(tar)).map((e) => e.name);
      assert.deepEqual(
        names,
        [...names].sort((a, b) => (a.replace(/\/$/, '') < b.replace(/\/$/, '') ? -1 : 1)),
      );
    });
  });

  test("'overlay': whiteout devices and opaque directories become .wh. entries", async () => {
    await withDirs(async ({ base, target }) => {
      const layer = await makeTar([
        { name: 'a/.wh.gone', content: '' },
        { name: 'o/', type: 'directory' },
        { name: 'o/.wh..wh..opq', content: '' },
        { name: 'o/keep', content: 'k' },
      ]);
      await applyLayer(streamOf(layer), { target, whiteouts: 'overlay' });
      const tar = await buffer(packDirectory({ root: target, whiteouts: 'overlay' }));
      const entries = await entryNames(tar);
      assert.deepEqual(
        entries.map((e) => e.name),
        ['a/', 'a/.wh.gone', 'o/', 'o/.wh..wh..opq', 'o/keep'],
      );
      assert.ok(entries.every((e) => !JSON.stringify(e.pax ?? {}).includes('trusted.overlay')));

      const copy = join(base, 'copy');
      await mkdir(copy);
      await applyLayer(streamOf(tar), { target: copy, whiteouts: 'overlay' });
      assert.equal((await lstat(join(copy, 'a/gone'))).rdev, 0);
      assert.equal(getXattr(join(copy, 'o'), 'trusted.overlay.opaque'), '0x79');
    });
  });

  test('an abort destroys the stream with a cancelled error', async () => {
    await withDirs(async ({ target }) => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(
        buffer(packDirectory({ root: target, signal: controller.signal })),
        (err) => isBerthError(err, 'cancelled'),
      );
    });
  });
});
