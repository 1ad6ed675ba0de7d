import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import tarStream, { type Header } from 'tar-stream';
import { ScopedRoot } from './scoped-root.js';
import { unpackTree, UnpackError, type ArchiveEntry, type UnpackOptions } from './unpack-tree.js';

type Spec = Partial<Header> & { name: string; body?: string };

async function tarOf(specs: readonly Spec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { body, ...header } of specs) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { mode: 0o644, mtime: new Date(1_700_000_000_000), ...header },
        body ?? '',
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function* entriesOf(archive: Buffer): AsyncGenerator<ArchiveEntry> {
  const extract = tarStream.extract();
  extract.end(archive);
  for await (const entry of extract) {
    yield { header: entry.header, data: entry as unknown as AsyncIterable<Buffer> };
  }
}

describe('unpackTree', () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-unpack-'));
  const rootDir = join(base, 'root');
  const sentinel = join(base, 'sentinel');
  let root: ScopedRoot;

  beforeEach(() => {
    root?.close();
    rmSync(rootDir, { recursive: true, force: true });
    mkdirSync(join(rootDir, 'tmp'), { recursive: true });
    mkdirSync(join(rootDir, 'etc'));
    mkdirSync(join(rootDir, 'd'));
    writeFileSync(join(rootDir, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    symlinkSync('/', join(rootDir, 'tmp', 'rootlink'));
    mkdirSync(sentinel, { recursive: true });
    writeFileSync(join(sentinel, 'keep'), 'untouched');
    root = ScopedRoot.open(rootDir);
  });
  after(() => {
    root?.close();
    rmSync(base, { recursive: true, force: true });
  });

  function unpack(specs: readonly Spec[], options: Partial<UnpackOptions> = {}): Promise<void> {
    return tarOf(specs).then((archive) =>
      unpackTree(entriesOf(archive), {
        root,
        dest: '/tmp',
        noOverwriteDirNonDir: true,
        owners: 'ignore',
        ...options,
      }),
    );
  }

  function sentinelUntouched(): void {
    assert.deepEqual(readdirSync(sentinel), ['keep']);
    assert.equal(readFileSync(join(sentinel, 'keep'), 'utf8'), 'untouched');
    assert.deepEqual(readdirSync(base).sort(), ['root', 'sentinel']);
  }

  it('writes files, directories, symlinks and hard links with their modes and times', async () => {
    await unpack([
      { name: 'dir/', type: 'directory', mode: 0o750 },
      { name: 'dir/file', body: 'hello', mode: 0o600 },
      { name: 'dir/link', type: 'symlink', linkname: 'file' },
      { name: 'dir/hard', type: 'link', linkname: 'dir/file' },
    ]);
    const dir = join(rootDir, 'tmp', 'dir');
    assert.equal(lstatSync(dir).mode & 0o7777, 0o750);
    assert.equal(lstatSync(dir).mtimeMs, 1_700_000_000_000);
    assert.equal(readFileSync(join(dir, 'file'), 'utf8'), 'hello');
    assert.equal(lstatSync(join(dir, 'file')).mode & 0o7777, 0o600);
    assert.equal(readlinkSync(join(dir, 'link')), 'file');
    assert.equal(lstatSync(join(dir, 'hard')).ino, lstatSync(join(dir, 'file')).ino);
  });

  it('keeps names with ".." and absolute names inside the destination', async () => {
    await unpack([
      { name: '../../../../tmp/a', body: 'a' },
      { name: '/abs/b', body: 'b' },
    ]);
    assert.equal(readFileSync(join(rootDir, 'tmp', 'a'), 'utf8'), 'a');
    assert.equal(readFileSync(join(rootDir, 'tmp', 'abs', 'b'), 'utf8'), 'b');
    sentinelUntouched();
  });

  it('refuses a name that lexically leaves the destination', async () => {
    await assert.rejects(unpack([{ name: '../etc/x', body: 'x' }]), {
      message: '"../etc/x" is outside of "/tmp"',
    });
  });

  it("resolves symlinks, the archive's own and the tree's, inside the root", async () => {
    await unpack([
      { name: 'l', type: 'symlink', linkname: '/' },
      { name: `l${base}/sentinel/keep`, body: 'overwritten?' },
      { name: `rootlink${base}/sentinel/other`, body: 'x' },
    ]);
    sentinelUntouched();
    // The writes landed inside the root, where the links lead when the root is "/".
    assert.equal(readFileSync(join(rootDir, base, 'sentinel', 'keep'), 'utf8'), 'overwritten?');
    assert.equal(readFileSync(join(rootDir, base, 'sentinel', 'other'), 'utf8'), 'x');
  });

  it('refuses symlinks and hard links whose target leaves the destination', async () => {
    await assert.rejects(unpack([{ name: 'u', type: 'symlink', linkname: '../../..' }]), {
      message: 'invalid symlink "/tmp/u" -> "../../.."',
    });
    await assert.rejects(unpack([{ name: 'h', type: 'link', linkname: '../etc/passwd' }]), {
      message: 'invalid hardlink "/etc/passwd" -> "../etc/passwd"',
    });
    await assert.rejects(unpack([{ name: 'h', type: 'link', linkname: 'missing' }]), {
      message: 'link /tmp/missing /tmp/h: no such file or directory',
    });
  });

  it('checks links against the lexical root a client gives', async () => {
    await assert.rejects(
      unpack([{ name: 'd/up', type: 'symlink', linkname: '../..' }], {
        dest: '/',
        lexicalRoot: '/home/me/out',
      }),
      { message: 'invalid symlink "/home/me/out/d/up" -> "../.."' },
    );
  });

  it('refuses to swap a directory and a non-directory when told to, replaces otherwise', async () => {
    writeFileSync(join(rootDir, 'tmp', 'f'), 'file');
    mkdirSync(join(rootDir, 'tmp', 'sub', 'deep'), { recursive: true });
    await assert.rejects(unpack([{ name: 'sub', body: 'x' }]), {
      message: 'cannot overwrite directory "/tmp/sub" with non-directory "/tmp"',
    });
    await assert.rejects(unpack([{ name: 'f', type: 'directory' }]), {
      message: 'cannot overwrite non-directory "/tmp/f" with directory "/tmp"',
    });
    await unpack([{ name: 'sub', body: 'now a file' }], { noOverwriteDirNonDir: false });
    assert.equal(readFileSync(join(rootDir, 'tmp', 'sub'), 'utf8'), 'now a file');
  });

  it('replaces a symlink by a file without following it', async () => {
    symlinkSync('/etc/passwd', join(rootDir, 'tmp', 'p'));
    await unpack([{ name: 'p', body: 'replaced' }]);
    assert.equal(readFileSync(join(rootDir, 'tmp', 'p'), 'utf8'), 'replaced');
    assert.equal(
      readFileSync(join(rootDir, 'etc', 'passwd'), 'utf8'),
      'root:x:0:0::/root:/bin/sh\n',
    );
  });

  it('leaves the destination\'s own attributes alone for a "." entry', async () => {
    const before = lstatSync(join(rootDir, 'tmp')).mode;
    await unpack([
      { name: './', type: 'directory', mode: 0o700 },
      { name: './x', body: 'x' },
    ]);
    assert.equal(lstatSync(join(rootDir, 'tmp')).mode, before);
    assert.equal(readFileSync(join(rootDir, 'tmp', 'x'), 'utf8'), 'x');
  });

  it('creates missing parents, and fails through a file', async () => {
    await unpack([{ name: 'a/b/c', body: 'c' }]);
    assert.equal(readFileSync(join(rootDir, 'tmp', 'a', 'b', 'c'), 'utf8'), 'c');
    await assert.rejects(unpack([{ name: 'a/b/c/d', body: 'd' }]), {
      message: 'mkdir /tmp/a/b/c/d: not a directory',
    });
  });

  it('renames entries and hard link targets', async () => {
    await unpack(
      [
        { name: 'old/', type: 'directory' },
        { name: 'old/f', body: 'f' },
        { name: 'old/g', type: 'link', linkname: 'old/f' },
      ],
      { rename: (name) => name.replace('old', 'new') },
    );
    assert.deepEqual(readdirSync(join(rootDir, 'tmp', 'new')).sort(), ['f', 'g']);
  });

  it('refuses device nodes when it cannot make them', async () => {
    await assert.rejects(
      unpack([{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }]),
      (err: unknown) => err instanceof UnpackError && /device nodes/.test(err.message),
    );
  });
});
