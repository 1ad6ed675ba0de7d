// The StorageDriver contract, run against every driver (overlay2, vfs). Needs root. Each test
// owns a temporary driver root and leaves nothing mounted under it, pass or fail.

import assert from 'node:assert/strict';
import {
  appendFile,
  chmod,
  chown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { applyLayer } from '../../src/core/archive/apply.js';
import { isBerthError, type ErrorKind } from '../../src/core/errors.js';
import { mountPointsUnder, readMountInfo } from '../../src/core/layers/mountinfo.js';
import { Overlay2Driver } from '../../src/core/layers/overlay2-driver.js';
import { runCommand } from '../../src/core/layers/run-command.js';
import { startForkServer, stopForkServer } from '../../src/lib/run-to-completion.js';
import type { StorageDriver } from '../../src/core/layers/storage-driver.js';
import { VfsDriver } from '../../src/core/layers/vfs-driver.js';

const TIMEOUT = { timeoutMs: 30_000 };

interface DriverCase {
  readonly name: string;
  /** The prefix of the benchmark line (`overlay_mount_125_layers 3.1 ms`). */
  readonly bench: string;
  /** True when mount() makes a real kernel mount. */
  readonly realMounts: boolean;
  make(root: string): StorageDriver;
  /** Deletes `path` in a child layer's diff dir, as applyLayer would for a whiteout. */
  whiteout(path: string): Promise<void>;
  /** Makes `dir` in a child layer's diff dir hide everything below it in the parents. */
  opaque(dir: string): Promise<void>;
  /**
   * changes() of a directory deleted and made again with new content: overlay2 sees an opaque
   * directory (deleted, then its new content), vfs compares the two trees entry by entry.
   */
  readonly replacedDirChanges: readonly string[];
  /** The tar entries diff() writes for that directory. */
  readonly replacedDirEntries: readonly string[];
}

const overlay: DriverCase = {
  name: 'overlay2',
  bench: 'overlay',
  realMounts: true,
  make: (root) => new Overlay2Driver({ root }),
  whiteout: async (path) => {
    await runCommand('mknod', [path, 'c', '0', '0'], TIMEOUT);
  },
  opaque: async (dir) => {
    await mkdir(dir, { recursive: true });
    await runCommand('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', dir], TIMEOUT);
  },
  replacedDirChanges: ['D /opt', 'A /opt/z'],
  replacedDirEntries: ['opt/', 'opt/.wh..wh..opq', 'opt/z'],
};

const vfs: DriverCase = {
  name: 'vfs',
  bench: 'vfs',
  realMounts: false,
  make: (root) => new VfsDriver({ root }),
  whiteout: (path) => rm(path, { recursive: true }),
  opaque: async (dir) => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
  },
  replacedDirChanges: ['C /opt', 'D /opt/x', 'D /opt/y', 'A /opt/z'],
  replacedDirEntries: ['opt/', 'opt/.wh.x', 'opt/.wh.y', 'opt/z'],
};

async function mountsUnder(dir: string): Promise<string[]> {
  return mountPointsUnder(await readMountInfo(), dir);
}

async function isMounted(path: string): Promise<boolean> {
  const real = await realpath(path);
  return (await readMountInfo()).some((entry) => entry.mountPoint === real);
}

async function mountCount(path: string): Promise<number> {
  const real = await realpath(path);
  return (await readMountInfo()).filter((entry) => entry.mountPoint === real).length;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

const isKind =
  (kind: ErrorKind) =>
  (err: unknown): boolean =>
    isBerthError(err, kind);

/**
 * Runs `fn` with an initialized driver in a fresh root; then cleanup(), and the project's hard
 * rule: nothing stays mounted under the root. A leftover mount is detached and fails the test.
 */
async function withDriver(
  kase: DriverCase,
  fn: (driver: StorageDriver, root: string) => Promise<void>,
): Promise<void> {
  const root = await realpath(await mkdtemp(join(tmpdir(), `berth-conformance-${kase.name}-`)));
  const driver = kase.make(root);
  try {
    await driver.init();
    await fn(driver, root);
  } finally {
    try {
      await driver.cleanup();
    } finally {
      const left = await mountsUnder(root);
      for (const point of left) await runCommand('umount', ['-l', point], TIMEOUT);
      await rm(root, { recursive: true, force: true });
      assert.deepEqual(left, [], 'mounts left behind under the driver root');
    }
  }
}

/** base: a, b, c, d/x, o/1; child: b changed, c deleted, e added, o opaque with o/2. */
async function makeBaseAndChild(kase: DriverCase, driver: StorageDriver): Promise<void> {
  await driver.create('base', undefined);
  const base = driver.diffPath('base');
  await writeFile(join(base, 'a'), 'base-a');
  await writeFile(join(base, 'b'), 'base-b');
  await writeFile(join(base, 'c'), 'base-c');
  await mkdir(join(base, 'd'));
  await writeFile(join(base, 'd', 'x'), 'base-x');
  await mkdir(join(base, 'o'));
  await writeFile(join(base, 'o', '1'), 'base-o1');

  await driver.create('child', 'base');
  const child = driver.diffPath('child');
  await writeFile(join(child, 'b'), 'child-b');
  await kase.whiteout(join(child, 'c'));
  await writeFile(join(child, 'e'), 'child-e');
  await kase.opaque(join(child, 'o'));
  await writeFile(join(child, 'o', '2'), 'child-o2');
}

const KIND_LETTER = { modified: 'C', added: 'A', deleted: 'D' } as const;

/** `docker diff` lines of a layer's changes. */
async function changeLines(
  driver: StorageDriver,
  id: string,
  parent: string | undefined,
): Promise<string[]> {
  return (await driver.changes(id, parent)).map((c) => `${KIND_LETTER[c.kind]} ${c.path}`);
}

async function tarEntryNames(tar: Buffer): Promise<string[]> {
  const names: string[] = [];
  const x = extract();
  const done = (async () => {
    for await (const entry of x) {
      names.push(entry.header.name);
      entry.resume();
    }
  })();
  x.end(tar);
  await done;
  return names;
}

/** Every path under `dir` with what it is: file content, `dir`, or `-> target`. */
async function treeOf(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(dir, prefix))).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const info = await lstat(join(dir, rel));
    if (info.isDirectory()) out.push(`${rel}/`, ...(await treeOf(dir, rel)));
    else if (info.isSymbolicLink()) out.push(`${rel} -> ${await readlink(join(dir, rel))}`);
    else out.push(`${rel}: ${await readFile(join(dir, rel), 'utf8')}`);
  }
  return out;
}

/**
 * base: a, bin/{cat,ls}, etc/passwd, opt/{x,y}; mid (empty); child, written through its
 * mount: /added, /bin/ls deleted, /etc/passwd appended to and /etc/new added, /opt replaced.
 */
async function makeChangedLayer(driver: StorageDriver): Promise<void> {
  await driver.create('base', undefined);
  const base = driver.diffPath('base');
  await writeFile(join(base, 'a'), 'a');
  for (const dir of ['bin', 'etc', 'opt']) await mkdir(join(base, dir));
  await writeFile(join(base, 'bin', 'cat'), 'cat');
  await writeFile(join(base, 'bin', 'ls'), 'ls');
  await writeFile(join(base, 'etc', 'passwd'), 'root\n');
  await writeFile(join(base, 'opt', 'x'), 'x');
  await writeFile(join(base, 'opt', 'y'), 'y');
  await driver.create('mid', 'base');
  await driver.create('child', 'mid');
  const merged = await driver.mount('child');
  try {
    await writeFile(join(merged, 'added'), 'added');
    await rm(join(merged, 'bin', 'ls'));
    await appendFile(join(merged, 'etc', 'passwd'), 'more\n');
    await writeFile(join(merged, 'etc', 'new'), 'new');
    await rm(join(merged, 'opt'), { recursive: true });
    await mkdir(join(merged, 'opt'));
    await writeFile(join(merged, 'opt', 'z'), 'z');
  } finally {
    await driver.unmount('child');
  }
}

for (const kase of [overlay, vfs]) {
  describe(`storage driver conformance: ${kase.name}`, () => {
    it('names itself and its whiteout format, and reports status lines', () =>
      withDriver(kase, (driver) => {
        assert.equal(driver.name, kase.name);
        assert.equal(driver.whiteoutFormat, kase === overlay ? 'overlay' : 'delete');
        const status = driver.status();
        for (const [key, value] of status) {
          assert.ok(key !== '' && value !== '', `${key}: ${value}`);
        }
        if (kase === overlay) {
          assert.deepEqual(
            status.map(([key]) => key),
            ['Backing Filesystem', 'Supports d_type', 'Using metacopy', 'Native Overlay Diff'],
          );
        }
        return Promise.resolve();
      }));

    it('creates layers, knows which exist, refuses duplicates, bad ids and missing parents', () =>
      withDriver(kase, async (driver) => {
        assert.equal(await driver.exists('base'), false);
        await driver.create('base', undefined);
        assert.equal(await driver.exists('base'), true);
        assert.ok((await stat(driver.diffPath('base'))).isDirectory());
        assert.deepEqual(await readdir(driver.diffPath('base')), []);
        await assert.rejects(driver.create('base', undefined), isKind('conflict'));
        await assert.rejects(driver.create('orphan', 'nosuchparent'), isKind('not-found'));
        assert.equal(await driver.exists('orphan'), false);
        await assert.rejects(driver.create('../evil', undefined), isKind('invalid-argument'));
        await assert.rejects(driver.create('ok', '../evil'), isKind('invalid-argument'));
        assert.equal(await driver.exists('../evil'), false);
        await assert.rejects(driver.mount('nosuchlayer'), isKind('not-found'));
        await driver.create('child', 'base');
        assert.deepEqual((await driver.list()).sort(), ['base', 'child']);
        await driver.remove('child');
        assert.deepEqual(await driver.list(), ['base']);
      }));

    it('mounts a read-write layer as the union of its ancestors', () =>
      withDriver(kase, async (driver) => {
        await makeBaseAndChild(kase, driver);
        await driver.create('top', 'child');
        const merged = await driver.mount('top');
        try {
          assert.equal(await readFile(join(merged, 'a'), 'utf8'), 'base-a');
          assert.equal(await readFile(join(merged, 'b'), 'utf8'), 'child-b', 'upper wins');
          assert.equal(await pathExists(join(merged, 'c')), false, 'whiteout hides c');
          assert.equal(await readFile(join(merged, 'd', 'x'), 'utf8'), 'base-x');
          assert.equal(await readFile(join(merged, 'e'), 'utf8'), 'child-e');
          assert.deepEqual(await readdir(join(merged, 'o')), ['2'], 'opaque dir hides o/1');
          assert.deepEqual((await readdir(merged)).sort(), ['a', 'b', 'd', 'e', 'o']);

          // Writes land in the top layer only.
          await writeFile(join(merged, 'new'), 'top-new');
          await writeFile(join(merged, 'a'), 'top-a');
          await rm(join(merged, 'd', 'x'));
          assert.equal(await readFile(join(driver.diffPath('top'), 'new'), 'utf8'), 'top-new');
          assert.equal(await readFile(join(driver.diffPath('top'), 'a'), 'utf8'), 'top-a');
          for (const lower of ['base', 'child']) {
            assert.equal(await pathExists(join(driver.diffPath(lower), 'new')), false, lower);
          }
          assert.equal(await readFile(join(driver.diffPath('base'), 'a'), 'utf8'), 'base-a');
          assert.equal(await readFile(join(driver.diffPath('base'), 'd', 'x'), 'utf8'), 'base-x');
          if (kase === overlay) {
            assert.deepEqual((await readdir(driver.diffPath('top'))).sort(), ['a', 'd', 'new']);
          }
        } finally {
          await driver.unmount('top');
        }
        // The child, mounted itself, still shows its own view.
        const childView = await driver.mount('child');
        try {
          assert.equal(await readFile(join(childView, 'a'), 'utf8'), 'base-a');
          assert.equal(await pathExists(join(childView, 'new')), false);
        } finally {
          await driver.unmount('child');
        }
      }));

    it('mounts a base layer as its own dir, writable', () =>
      withDriver(kase, async (driver) => {
        await driver.create('base', undefined);
        await writeFile(join(driver.diffPath('base'), 'f'), 'x');
        const dir = await driver.mount('base');
        try {
          assert.equal(await readFile(join(dir, 'f'), 'utf8'), 'x');
          await writeFile(join(dir, 'g'), 'y');
        } finally {
          await driver.unmount('base');
        }
        assert.equal(await readFile(join(driver.diffPath('base'), 'g'), 'utf8'), 'y');
      }));

    it('keeps owners, modes, times, links, devices and xattrs of the lower layers', () =>
      withDriver(kase, async (driver) => {
        await driver.create('base', undefined);
        const base = driver.diffPath('base');
        const file = join(base, 'file');
        await writeFile(file, 'content');
        await chown(file, 1000, 1001);
        await chmod(file, 0o4750);
        const time = new Date('2001-02-03T04:05:06Z');
        await utimes(file, time, time);
        await link(file, join(base, 'hard'));
        await symlink('file', join(base, 'sym'));
        await runCommand('mknod', [join(base, 'null'), 'c', '1', '3'], TIMEOUT);
        await runCommand('mkfifo', [join(base, 'fifo')], TIMEOUT);
        await runCommand('setfattr', ['-n', 'user.berth', '-v', 'kept', file], TIMEOUT);
        await mkdir(join(base, 'private'), { mode: 0o700 });
        await chown(join(base, 'private'), 2000, 2000);

        await driver.create('child', 'base');
        await driver.create('top', 'child');
        const merged = await driver.mount('top');
        try {
          const info = await lstat(join(merged, 'file'));
          assert.equal(info.uid, 1000);
          assert.equal(info.gid, 1001);
          assert.equal(info.mode & 0o7777, 0o4750);
          assert.equal(info.mtime.getTime(), time.getTime());
          const hard = await lstat(join(merged, 'hard'));
          assert.equal(hard.ino, info.ino, 'hard links share an inode');
          assert.equal(info.nlink, 2);
          assert.equal(await readlink(join(merged, 'sym')), 'file');
          const dev = await lstat(join(merged, 'null'));
          assert.ok(dev.isCharacterDevice());
          assert.equal(dev.rdev, (await lstat('/dev/null')).rdev);
          assert.ok((await lstat(join(merged, 'fifo'))).isFIFO());
          const xattr = await runCommand(
            'getfattr',
            ['--only-values', '-n', 'user.berth', join(merged, 'file')],
            TIMEOUT,
          );
          assert.equal(xattr, 'kept');
          const dir = await lstat(join(merged, 'private'));
          assert.equal(dir.mode & 0o7777, 0o700);
          assert.equal(dir.uid, 2000);
        } finally {
          await driver.unmount('top');
        }
      }));

    it('counts mounts: the last unmount really unmounts', () =>
      withDriver(kase, async (driver) => {
        await makeBaseAndChild(kase, driver);
        const first = await driver.mount('child');
        const second = await driver.mount('child');
        assert.equal(second, first);
        if (kase.realMounts) assert.equal(await mountCount(first), 1);
        await driver.unmount('child');
        if (kase.realMounts) assert.equal(await isMounted(first), true);
        assert.equal(await readFile(join(first, 'b'), 'utf8'), 'child-b');
        await assert.rejects(driver.remove('child'), isKind('conflict'));
        await driver.unmount('child');
        if (kase.realMounts) assert.equal(await isMounted(first), false);
        await driver.unmount('child'); // not mounted: nothing to do
        await driver.remove('child');
      }));

    it('refuses to remove a mounted layer, removes it after', () =>
      withDriver(kase, async (driver, root) => {
        await makeBaseAndChild(kase, driver);
        await driver.mount('child');
        await assert.rejects(driver.remove('child'), isKind('conflict'));
        assert.equal(await driver.exists('child'), true);
        await driver.unmount('child');
        await driver.remove('child');
        assert.equal(await driver.exists('child'), false);
        assert.equal(await pathExists(driver.diffPath('child')), false);
        assert.equal(await driver.exists('base'), true);
        if (kase === overlay) {
          assert.equal(await pathExists(join(root, 'child')), false);
          const links = await readdir(join(root, 'l'));
          assert.equal(links.length, 1, 'only the base layer keeps a link');
          assert.equal(await readlink(join(root, 'l', links[0] ?? '')), '../base/diff');
        }
        await driver.remove('base');
        assert.equal(await driver.exists('base'), false);
        if (kase === overlay) assert.deepEqual(await readdir(join(root, 'l')), []);
        await driver.remove('base'); // already gone: nothing to do
      }));

    it('mounts once for concurrent mount() calls of one layer', () =>
      withDriver(kase, async (driver) => {
        await makeBaseAndChild(kase, driver);
        const paths = await Promise.all(Array.from({ length: 5 }, () => driver.mount('child')));
        assert.equal(new Set(paths).size, 1);
        const merged = paths[0] ?? '';
        if (kase.realMounts) assert.equal(await mountCount(merged), 1);
        await Promise.all(Array.from({ length: 4 }, () => driver.unmount('child')));
        if (kase.realMounts) assert.equal(await mountCount(merged), 1);
        await assert.rejects(driver.remove('child'), isKind('conflict'));
        await driver.unmount('child');
        if (kase.realMounts) assert.equal(await mountCount(merged), 0);
      }));

    it('stacks 125 layers and mounts a read-write layer on top', () =>
      withDriver(kase, async (driver, root) => {
        await driver.create('l0', undefined);
        await writeFile(join(driver.diffPath('l0'), 'bottom'), 'from the bottom');
        for (let i = 1; i < 125; i++) {
          await driver.create(`l${i}`, `l${i - 1}`);
          await writeFile(join(driver.diffPath(`l${i}`), `layer-${i}`), String(i));
        }
        await driver.create('rw', 'l124');
        const started = performance.now();
        const merged = await driver.mount('rw');
        const elapsed = performance.now() - started;
        console.log(`${kase.bench}_mount_125_layers ${elapsed.toFixed(1)} ms`);
        try {
          assert.equal(await readFile(join(merged, 'bottom'), 'utf8'), 'from the bottom');
          assert.equal(await readFile(join(merged, 'layer-124'), 'utf8'), '124');
          assert.equal((await readdir(merged)).length, 125);
          if (kase === overlay) {
            const lower = await readFile(join(root, 'rw', 'lower'), 'utf8');
            assert.equal(lower.split(':').length, 125);
            const entry = (await readMountInfo()).find((e) => e.mountPoint === merged);
            assert.ok(entry, 'the union is in the mount table');
            assert.ok(entry.superOptions.includes(`lowerdir=${lower}`));
            assert.ok(Buffer.byteLength(entry.superOptions) < 4096, 'within one page');
          }
          await writeFile(join(merged, 'written'), 'rw');
          assert.equal(await readFile(join(driver.diffPath('rw'), 'written'), 'utf8'), 'rw');
        } finally {
          await driver.unmount('rw');
        }
      }));

    it('cleanup() unmounts everything, whatever the counts', () =>
      withDriver(kase, async (driver, root) => {
        await makeBaseAndChild(kase, driver);
        await driver.create('top', 'child');
        await driver.mount('child');
        await driver.mount('child');
        await driver.mount('top');
        await driver.mount('base');
        if (kase.realMounts) assert.equal((await mountsUnder(root)).length, 2);
        await driver.cleanup();
        assert.deepEqual(await mountsUnder(root), []);
        // Nothing counts as mounted any more.
        await driver.remove('top');
        await driver.remove('child');
        await driver.remove('base');
      }));

    it('unmounts at init() what a crashed daemon left mounted', () =>
      withDriver(kase, async (driver, root) => {
        await makeBaseAndChild(kase, driver);
        await driver.create('top', 'child');
        const merged = await driver.mount('top');
        if (kase.realMounts) assert.equal(await isMounted(merged), true);
        // The daemon "crashes": a new driver takes over the root.
        const next = kase.make(root);
        await next.init();
        try {
          assert.deepEqual(await mountsUnder(root), []);
          assert.equal(await next.exists('top'), true);
          const again = await next.mount('top');
          assert.equal(again, merged);
          assert.equal(await readFile(join(again, 'b'), 'utf8'), 'child-b');
          await next.unmount('top');
          assert.deepEqual(await mountsUnder(root), []);
        } finally {
          await next.cleanup();
        }
      }));

    it('lists what a layer changed on its parents, in walk order', () =>
      withDriver(kase, async (driver) => {
        await makeChangedLayer(driver);
        assert.deepEqual(await changeLines(driver, 'child', 'mid'), [
          'A /added',
          'C /bin',
          'D /bin/ls',
          'C /etc',
          'A /etc/new',
          'C /etc/passwd',
          ...kase.replacedDirChanges,
        ]);
        assert.deepEqual(await changeLines(driver, 'mid', 'base'), [], 'an empty layer');
        assert.deepEqual(await changeLines(driver, 'base', undefined), [
          'A /a',
          'A /bin',
          'A /bin/cat',
          'A /bin/ls',
          'A /etc',
          'A /etc/passwd',
          'A /opt',
          'A /opt/x',
          'A /opt/y',
        ]);
        await assert.rejects(driver.changes('nosuchlayer', 'base'), isKind('not-found'));
      }));

    it("weighs a layer's own files as Docker's SizeRw does", () =>
      withDriver(kase, async (driver) => {
        await makeChangedLayer(driver);
        // added 5, etc/passwd 10 (copied up whole), etc/new 3, opt/z 1; deletions weigh 0.
        assert.equal(await driver.diffSize('child', 'mid'), 19);
        assert.equal(await driver.diffSize('mid', 'base'), 0);
        assert.equal(await driver.diffSize('base', undefined), 13);
        await assert.rejects(driver.diffSize('nosuchlayer', 'base'), isKind('not-found'));
      }));

    it('diffs a layer into a tar that rebuilds it on the same parent', () =>
      withDriver(kase, async (driver) => {
        await makeChangedLayer(driver);
        const chunks: Buffer[] = [];
        for await (const chunk of await driver.diff('child', 'mid')) chunks.push(chunk as Buffer);
        const tar = Buffer.concat(chunks);
        const names = await tarEntryNames(tar);
        for (const name of ['added', 'bin/.wh.ls', 'etc/new', 'etc/passwd'])
          assert.ok(names.includes(name), `${name} in ${names.join(' ')}`);
        assert.deepEqual(
          names.filter((n) => n.startsWith('opt/')),
          kase.replacedDirEntries,
        );
        assert.equal(names.includes('a'), false, 'unchanged files stay out');

        await driver.create('rebuilt', 'mid');
        await applyLayer(Readable.from([tar]), {
          target: driver.diffPath('rebuilt'),
          whiteouts: driver.whiteoutFormat,
        });
        const trees: string[][] = [];
        for (const id of ['child', 'rebuilt']) {
          const dir = await driver.mount(id);
          try {
            trees.push(await treeOf(dir));
          } finally {
            await driver.unmount(id);
          }
        }
        assert.deepEqual(trees[1], trees[0]);
        assert.ok(trees[0]?.includes('etc/passwd: root\nmore\n'), trees[0]?.join(' '));

        const empty: Buffer[] = [];
        for await (const chunk of await driver.diff('mid', 'base')) empty.push(chunk as Buffer);
        assert.deepEqual(
          Buffer.concat(empty),
          Buffer.alloc(1024),
          'an empty layer: two zero blocks',
        );
      }));

    if (kase === overlay) {
      it('leaves nothing mounted or counted when a mount fails', () =>
        withDriver(kase, async (driver, root) => {
          await makeBaseAndChild(kase, driver);
          await driver.remove('base'); // the child's lower dir is gone now
          await assert.rejects(driver.mount('child'));
          assert.deepEqual(await mountsUnder(root), []);
          await driver.remove('child'); // not counted as mounted
        }));

      it('mounts and unmounts with mount(2) in the fork server when it runs', () =>
        withDriver(kase, async (driver, root) => {
          startForkServer();
          try {
            await makeBaseAndChild(kase, driver);
            await driver.create('grandchild', 'child');
            const merged = await driver.mount('grandchild');
            assert.equal(await isMounted(merged), true);
            assert.deepEqual((await readdir(merged)).sort(), ['a', 'b', 'd', 'e', 'o']);
            assert.equal(await readFile(join(merged, 'b'), 'utf8'), 'child-b');
            await driver.unmount('grandchild');
            assert.equal(await isMounted(merged), false);
            // A failed mount(2) is reported with its errno's words, and leaves nothing.
            await driver.remove('base');
            await assert.rejects(driver.mount('grandchild'), /No such file or directory/);
            assert.deepEqual(await mountsUnder(root), []);
          } finally {
            stopForkServer();
          }
        }));

      it('takes a removed layer away at once and deletes its files before cleanup() ends', () =>
        withDriver(kase, async (driver, root) => {
          await makeBaseAndChild(kase, driver);
          const many = driver.diffPath('child');
          for (let i = 0; i < 200; i++) await writeFile(join(many, `f${i}`), 'x');
          await driver.remove('child');
          assert.equal(await driver.exists('child'), false);
          assert.deepEqual(await driver.list(), ['base']);
          await driver.cleanup();
          assert.deepEqual((await readdir(root)).sort(), ['base', 'l'], 'the files are gone');
          // A deletion cut short by a crash: the next daemon's init finishes it.
          await mkdir(join(root, '.gone-child-0a0b0c0d0e0f', 'diff'), { recursive: true });
          await writeFile(join(root, '.gone-child-0a0b0c0d0e0f', 'diff', 'f'), 'x');
          const next = kase.make(root);
          await next.init();
          assert.deepEqual((await readdir(root)).sort(), ['base', 'l']);
          await next.cleanup();
        }));

      it('lays out layers as Docker does', () =>
        withDriver(kase, async (driver, root) => {
          await makeBaseAndChild(kase, driver);
          assert.deepEqual((await readdir(join(root, 'base'))).sort(), ['diff', 'link']);
          assert.deepEqual((await readdir(join(root, 'child'))).sort(), [
            'diff',
            'link',
            'lower',
            'merged',
            'work',
          ]);
          const baseLink = await readFile(join(root, 'base', 'link'), 'utf8');
          const childLink = await readFile(join(root, 'child', 'link'), 'utf8');
          assert.match(baseLink, /^[A-Z0-9]{26}$/);
          assert.equal(await readFile(join(root, 'child', 'lower'), 'utf8'), `l/${baseLink}`);
          assert.equal(await readlink(join(root, 'l', childLink)), '../child/diff');
          await driver.create('grandchild', 'child');
          assert.equal(
            await readFile(join(root, 'grandchild', 'lower'), 'utf8'),
            `l/${childLink}:l/${baseLink}`,
          );
          assert.deepEqual(
            (await readdir(root)).sort(),
            ['base', 'child', 'grandchild', 'l'],
            'no scratch dirs left',
          );
        }));
    }
  });
}
