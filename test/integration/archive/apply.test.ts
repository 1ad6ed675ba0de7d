// applyLayer against crafted tars, as root: path-safety attacks, every entry type, ownership,
// modes, xattrs, mtimes, compression, whiteouts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { applyLayer } from '../../../src/core/archive/apply.js';
import { encodeTarHeader, padding } from '../../../src/core/archive/tar-header.js';
import { isBerthError } from '../../../src/core/errors.js';
import type { WhiteoutFormat } from '../../../src/core/archive/types.js';
import {
  assertEmpty,
  getXattr,
  makeTar,
  MTIME,
  streamOf,
  withDirs,
  type TarEntry,
} from './helpers.js';

async function apply(
  target: string,
  tar: Buffer,
  whiteouts: WhiteoutFormat = 'overlay',
): Promise<number> {
  return (await applyLayer(streamOf(tar), { target, whiteouts })).size;
}

/** Applying `entries` must fail naming `entry`, and leave the sentinel directory empty. */
async function assertRefused(
  entries: (outside: string) => TarEntry[],
  entry: string,
): Promise<void> {
  await withDirs(async ({ target, outside }) => {
    for (const whiteouts of ['overlay', 'delete'] as const) {
      const tar = await makeTar(entries(outside));
      await assert.rejects(apply(target, tar, whiteouts), (err: unknown) => {
        assert.ok(isBerthError(err, 'invalid-argument'), String(err));
        assert.match(
          err.message,
          new RegExp(JSON.stringify(entry).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')),
        );
        return true;
      });
      await assertEmpty(outside);
    }
  });
}

describe('path safety', () => {
  test('refuses a name that climbs out', () =>
    assertRefused(() => [{ name: '../escape', content: 'x' }], '../escape'));

  test('refuses an absolute name', () =>
    assertRefused(() => [{ name: '/abs/path', content: 'x' }], '/abs/path'));

  test('refuses a .. component inside a name', () =>
    assertRefused(() => [{ name: 'a/../../x', content: 'x' }], 'a/../../x'));

  test('refuses writing through an absolute symlink to outside', () =>
    assertRefused(
      (outside) => [
        { name: 'evil', type: 'symlink', linkname: outside },
        { name: 'evil/file', content: 'x' },
      ],
      'evil/file',
    ));

  test('refuses writing through a relative symlink that climbs out', () =>
    assertRefused(
      () => [
        { name: 'evil', type: 'symlink', linkname: '../..' },
        { name: 'evil/x', content: 'x' },
      ],
      'evil/x',
    ));

  test('refuses a directory and a whiteout through a symlink to outside', async () => {
    await assertRefused(
      (outside) => [
        { name: 'evil', type: 'symlink', linkname: outside },
        { name: 'evil/sub/', type: 'directory' },
      ],
      'evil/sub/',
    );
    await assertRefused(
      (outside) => [
        { name: 'evil', type: 'symlink', linkname: outside },
        { name: 'evil/.wh.x', content: '' },
      ],
      'evil/.wh.x',
    );
  });

  test('refuses a hard link to a path outside', () =>
    assertRefused(
      () => [{ name: 'passwd', type: 'link', linkname: '../../etc/passwd' }],
      'passwd',
    ));

  test('refuses a hard link through a symlink to outside', async () => {
    await withDirs(async ({ base, target, outside }) => {
      const victimDir = join(base, 'victim');
      await mkdir(victimDir);
      await writeFile(join(victimDir, 'secret'), 'secret');
      const tar = await makeTar([
        { name: 'evil', type: 'symlink', linkname: victimDir },
        { name: 'stolen', type: 'link', linkname: 'evil/secret' },
      ]);
      await assert.rejects(apply(target, tar), /"stolen"/);
      assert.equal((await stat(join(victimDir, 'secret'))).nlink, 1);
      await assertEmpty(outside);
    });
  });

  test('follows a symlink that stays inside the target', async () => {
    await withDirs(async ({ target, outside }) => {
      const tar = await makeTar([
        { name: 'usr/lib/', type: 'directory' },
        { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
        { name: 'lib/libc.so', content: 'elf' },
        { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
        { name: 'up', type: 'symlink', linkname: '../../..' },
      ]);
      await apply(target, tar);
      assert.equal(await readFile(join(target, 'usr/lib/libc.so'), 'utf8'), 'elf');
      assert.equal(await readlink(join(target, 'bin/sh')), '/bin/busybox');
      await assertEmpty(outside);
    });
  });
});

const FEATURES: TarEntry[] = [
  { name: 'd/', type: 'directory', mode: 0o750, uid: 1000, gid: 1000, mtime: MTIME + 1 },
  { name: 'd/f', content: 'hello', mode: 0o640, uid: 1000, gid: 1000, mtime: MTIME + 2 },
  { name: 'd/link', type: 'symlink', linkname: 'f', uid: 1000, gid: 1000, mtime: MTIME + 3 },
  { name: 'd/hard', type: 'link', linkname: 'd/f' },
  { name: 'bin/su', content: 'su', mode: 0o4755 },
  { name: 'bin/sg', content: 'sg', mode: 0o2755, gid: 1000 },
  { name: 'tmp/', type: 'directory', mode: 0o1777 },
  { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660, gid: 6 },
  { name: 'run/fifo', type: 'fifo', mode: 0o620, uid: 1000 },
  { name: 'open', content: 'all', mode: 0o777 },
];

describe('entries', () => {
  test('writes files, directories, links, devices and fifos with owners, modes and mtimes', async () => {
    await withDirs(async ({ target }) => {
      assert.equal(await apply(target, await makeTar(FEATURES)), 5 + 2 + 2 + 3 + 1); // the symlink's target counts, as in Docker's sizes
      const d = await lstat(join(target, 'd'));
      assert.deepEqual(
        [d.mode & 0o7777, d.uid, d.gid, d.mtimeMs / 1000],
        [0o750, 1000, 1000, MTIME + 1],
      );
      const f = await lstat(join(target, 'd/f'));
      assert.deepEqual(
        [f.mode & 0o7777, f.uid, f.gid, f.mtimeMs / 1000],
        [0o640, 1000, 1000, MTIME + 2],
      );
      assert.equal(await readFile(join(target, 'd/f'), 'utf8'), 'hello');
      const link = await lstat(join(target, 'd/link'));
      assert.deepEqual(
        [link.isSymbolicLink(), link.uid, link.gid, link.mtimeMs / 1000],
        [true, 1000, 1000, MTIME + 3],
      );
      assert.equal(await readlink(join(target, 'd/link')), 'f');
      assert.equal((await lstat(join(target, 'd/hard'))).ino, f.ino);
      assert.equal((await lstat(join(target, 'bin/su'))).mode & 0o7777, 0o4755);
      const sg = await lstat(join(target, 'bin/sg'));
      assert.deepEqual([sg.mode & 0o7777, sg.gid], [0o2755, 1000]);
      assert.equal((await lstat(join(target, 'tmp'))).mode & 0o7777, 0o1777);
      assert.equal((await lstat(join(target, 'open'))).mode & 0o7777, 0o777);
      const dev = await lstat(join(target, 'dev/null'));
      assert.deepEqual(
        [dev.isCharacterDevice(), dev.rdev, dev.mode & 0o7777],
        [true, 0x103, 0o666],
      );
      const sda = await lstat(join(target, 'dev/sda'));
      assert.deepEqual(
        [sda.isBlockDevice(), sda.rdev, sda.mode & 0o7777, sda.gid],
        [true, 0x800, 0o660, 6],
      );
      const fifo = await lstat(join(target, 'run/fifo'));
      assert.deepEqual([fifo.isFIFO(), fifo.mode & 0o7777, fifo.uid], [true, 0o620, 1000]);
      assert.equal((await lstat(join(target, 'dev'))).mode & 0o7777, 0o755);
    });
  });

  test('sets xattrs, binary ones included', async () => {
    await withDirs(async ({ target }) => {
      const capability = Buffer.from('0100000200200080000000000000000000000000', 'hex');
      const header = encodeTarHeader({
        name: 'bin/ping',
        type: 'file',
        mode: 0o755,
        uid: 0,
        gid: 0,
        size: 4,
        mtime: MTIME,
        xattrs: [
          ['user.test', Buffer.from('hello')],
          ['security.capability', capability],
        ],
      });
      const tar = Buffer.concat([header, Buffer.from('ping'), padding(4), Buffer.alloc(1024)]);
      await apply(target, tar);
      assert.equal(
        getXattr(join(target, 'bin/ping'), 'user.test'),
        `0x${Buffer.from('hello').toString('hex')}`,
      );
      assert.equal(
        getXattr(join(target, 'bin/ping'), 'security.capability'),
        `0x${capability.toString('hex')}`,
      );
    });
  });

  test('sets directory mtimes after their children, and keeps an existing directory', async () => {
    await withDirs(async ({ target }) => {
      await mkdir(join(target, 'keep'));
      await writeFile(join(target, 'keep/old'), 'old');
      const tar = await makeTar([
        { name: 'a/', type: 'directory', mtime: MTIME },
        { name: 'a/b/', type: 'directory', mtime: MTIME + 10 },
        { name: 'a/b/c', content: 'c', mtime: MTIME + 20 },
        { name: 'a/b/fifo', type: 'fifo' },
        { name: 'keep/', type: 'directory', mode: 0o700, mtime: MTIME },
      ]);
      await apply(target, tar, 'delete');
      assert.equal((await lstat(join(target, 'a'))).mtimeMs / 1000, MTIME);
      assert.equal((await lstat(join(target, 'a/b'))).mtimeMs / 1000, MTIME + 10);
      assert.equal((await lstat(join(target, 'keep'))).mode & 0o7777, 0o700);
      assert.equal(await readFile(join(target, 'keep/old'), 'utf8'), 'old');
    });
  });

  test('replaces an existing entry by a later one of another type', async () => {
    await withDirs(async ({ target, outside }) => {
      await symlink(outside, join(target, 'x'));
      await writeFile(join(target, 'y'), 'old');
      const tar = await makeTar([
        { name: 'x', content: 'file now' },
        { name: 'y/', type: 'directory' },
        { name: 'y/z', content: 'z' },
      ]);
      await apply(target, tar, 'delete');
      assert.equal(await readFile(join(target, 'x'), 'utf8'), 'file now');
      assert.equal(await readFile(join(target, 'y/z'), 'utf8'), 'z');
      await assertEmpty(outside);
    });
  });
});

describe('input formats', () => {
  const entries: TarEntry[] = [
    { name: 'a/', type: 'directory' },
    { name: 'a/file', content: 'x'.repeat(700) },
  ];

  for (const [label, compress] of [
    ['plain', (tar: Buffer) => tar],
    ['gzip', (tar: Buffer) => gzipSync(tar)],
    ['zstd', (tar: Buffer) => spawnSync('zstd', ['-c', '-q'], { input: tar }).stdout],
  ] as const) {
    test(`applies a ${label} tar`, async () => {
      await withDirs(async ({ target }) => {
        assert.equal(await apply(target, compress(await makeTar(entries))), 700);
        assert.equal(await readFile(join(target, 'a/file'), 'utf8'), 'x'.repeat(700));
      });
    });
  }

  test('accepts a tar without end-of-archive blocks, even without its last padding', async () => {
    await withDirs(async ({ target }) => {
      const tar = await makeTar(entries);
      await apply(target, tar.subarray(0, tar.length - 1024));
      assert.equal(await readFile(join(target, 'a/file'), 'utf8'), 'x'.repeat(700));
      const unpadded = tar.subarray(0, 1024 + 700);
      await apply(target, unpadded, 'delete');
      assert.equal(await readFile(join(target, 'a/file'), 'utf8'), 'x'.repeat(700));
    });
  });

  test('refuses a truncated tar', async () => {
    await withDirs(async ({ target }) => {
      const tar = await makeTar(entries);
      await assert.rejects(apply(target, tar.subarray(0, 1024 + 600)), /truncated|Unexpected end/);
      await assert.rejects(apply(target, tar.subarray(0, 1024 + 100)), /truncated|Unexpected end/);
    });
  });

  test('refuses a corrupt tar and corrupt gzip', async () => {
    await withDirs(async ({ target }) => {
      await assert.rejects(apply(target, Buffer.alloc(512, 1)), (err) =>
        isBerthError(err, 'invalid-argument'),
      );
      const gz = gzipSync(await makeTar(entries));
      await assert.rejects(apply(target, gz.subarray(0, gz.length - 20)), (err) =>
        isBerthError(err),
      );
      const zst = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 0xee)]);
      await assert.rejects(apply(target, zst), (err) => isBerthError(err, 'invalid-argument'));
    });
  });

  test('an abort rejects with a cancelled error', async () => {
    await withDirs(async ({ target }) => {
      const tar = await makeTar([{ name: 'big', content: Buffer.alloc(4 * 1024 * 1024) }]);
      const source = new PassThrough();
      source.write(tar.subarray(0, 100_000));
      const controller = new AbortController();
      const applying = applyLayer(source, {
        target,
        whiteouts: 'overlay',
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(applying, (err) => isBerthError(err, 'cancelled'));
      assert.ok(source.destroyed);
    });
  });
});

describe('whiteouts', () => {
  test("'overlay': a 0/0 character device and an opaque xattr", async () => {
    await withDirs(async ({ target }) => {
      const tar = await makeTar([
        { name: 'a/.wh.gone', content: '' },
        { name: 'o/', type: 'directory', mtime: MTIME },
        { name: 'o/.wh..wh..opq', content: '' },
        { name: 'o/keep', content: 'k' },
      ]);
      await apply(target, tar, 'overlay');
      const gone = await lstat(join(target, 'a/gone'));
      assert.deepEqual([gone.isCharacterDevice(), gone.rdev], [true, 0]);
      assert.equal(getXattr(join(target, 'o'), 'trusted.overlay.opaque'), '0x79');
      assert.deepEqual((await readdir(join(target, 'o'))).sort(), ['keep']);
      assert.equal((await lstat(join(target, 'o'))).mtimeMs / 1000, MTIME);
    });
  });

  test("'delete': removes what whiteouts name and what an opaque directory hid", async () => {
    await withDirs(async ({ target }) => {
      await mkdir(join(target, 'a/gone'), { recursive: true });
      await writeFile(join(target, 'a/gone/x'), 'x');
      await writeFile(join(target, 'a/stays'), 's');
      await mkdir(join(target, 'o/sub'), { recursive: true });
      await writeFile(join(target, 'o/old'), 'old');
      await writeFile(join(target, 'o/sub/old'), 'old');
      const tar = await makeTar([
        { name: 'a/.wh.gone', content: '' },
        { name: 'o/', type: 'directory' },
        { name: 'o/before', content: 'b' },
        { name: 'o/new/deep', content: 'd' },
        { name: 'o/.wh..wh..opq', content: '' },
        { name: 'o/after', content: 'a' },
      ]);
      await apply(target, tar, 'delete');
      assert.deepEqual((await readdir(join(target, 'a'))).sort(), ['stays']);
      assert.deepEqual((await readdir(join(target, 'o'))).sort(), ['after', 'before', 'new']);
      assert.equal(await readFile(join(target, 'o/new/deep'), 'utf8'), 'd');
    });
  });
});
