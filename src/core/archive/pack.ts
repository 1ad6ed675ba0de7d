// Packing a directory into a tar stream: entries sorted by name, numeric owners, modes,
// mtimes (whole seconds), symlinks, hard links (the second name of an inode links to the
// first), devices and fifos, xattrs as PAX SCHILY.xattr.* records; with 'overlay' whiteouts,
// overlayfs's whiteout devices and opaque directories become `.wh.` entries again.

import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { BerthError, cancelled, hasErrno } from '../errors.js';
import { normaliseEntryName, OPAQUE_MARKER, splitPath, WHITEOUT_PREFIX } from './paths.js';
import type { Xattr } from './pending.js';
import { BLOCK_SIZE, encodeTarHeader, padding, type TarHeader } from './tar-header.js';
import { startTool } from './tool.js';
import type { PackChangesOptions, PackOptions } from './types.js';
import { XattrDumpParser } from './xattr-dump.js';

const READ_CHUNK = 64 * 1024;
const OVERLAY_XATTRS = 'trusted.overlay.';
const OPAQUE_XATTR = 'trusted.overlay.opaque';

interface PackContext {
  readonly root: string;
  readonly overlay: boolean;
  readonly signal: AbortSignal | undefined;
  /** Absolute path → its xattrs (read for the whole tree with one getfattr). */
  readonly xattrs: ReadonlyMap<string, readonly Xattr[]>;
  /** `dev:ino` → the name of its first entry, for hard links. */
  readonly inodes: Map<string, string>;
}

/** A tar stream of everything under `options.root` (not the root itself). */
export function packDirectory(options: PackOptions): Readable {
  return streamOf(packTree(options), options.signal);
}

function streamOf(blocks: AsyncGenerator<Buffer>, signal: AbortSignal | undefined): Readable {
  const tar = Readable.from(blocks, { objectMode: false, highWaterMark: READ_CHUNK });
  if (signal !== undefined) {
    const onAbort = (): void => {
      tar.destroy(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    tar.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return tar;
}

/**
 * A tar stream of some entries under `options.root` (a layer diff from a list of changes, as
 * Docker's naive diff exports it): sorted by path, a directory without its content, a deletion
 * as a `.wh.` entry. An entry gone since the list was made is left out.
 */
export function packChanges(options: PackChangesOptions): Readable {
  return streamOf(packListed(options), options.signal);
}

async function* packListed(options: PackChangesOptions): AsyncGenerator<Buffer> {
  throwIfCancelled(options.signal);
  const root = resolve(options.root);
  const context: PackContext = {
    root,
    overlay: false,
    signal: options.signal,
    xattrs: await readXattrs(root, options.signal),
    inodes: new Map(),
  };
  const now = Date.now() / 1000;
  const sorted = [...options.entries].sort((a, b) =>
    Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
  );
  for (const entry of sorted) {
    throwIfCancelled(options.signal);
    const rel = normaliseEntryName(entry.path.replace(/^\/+/, ''));
    if (rel === '') continue;
    if (entry.deleted) {
      const { parent, base } = splitPath(rel);
      const name = (parent === '' ? '' : `${parent}/`) + WHITEOUT_PREFIX + base;
      yield encodeTarHeader({ name, type: 'file', mode: 0, uid: 0, gid: 0, mtime: now, size: 0 });
      continue;
    }
    let stat: Stats;
    try {
      stat = await lstat(absolute(context, rel));
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'ENOTDIR')) continue;
      throw err;
    }
    yield* packEntry(context, rel, stat);
  }
  yield Buffer.alloc(2 * BLOCK_SIZE);
}

async function* packTree(options: PackOptions): AsyncGenerator<Buffer> {
  throwIfCancelled(options.signal);
  const root = resolve(options.root);
  const context: PackContext = {
    root,
    overlay: options.whiteouts === 'overlay',
    signal: options.signal,
    xattrs: await readXattrs(root, options.signal),
    inodes: new Map(),
  };
  yield* packDir(context, '');
  yield Buffer.alloc(2 * BLOCK_SIZE);
}

async function* packDir(context: PackContext, dir: string): AsyncGenerator<Buffer> {
  const names = (await readdir(absolute(context, dir))).sort();
  for (const name of names) {
    throwIfCancelled(context.signal);
    const rel = dir === '' ? name : `${dir}/${name}`;
    const stat = await lstat(absolute(context, rel));
    yield* packEntry(context, rel, stat);
    if (stat.isDirectory()) yield* packDir(context, rel);
  }
}

async function* packEntry(context: PackContext, rel: string, stat: Stats): AsyncGenerator<Buffer> {
  const path = absolute(context, rel);
  const all = context.xattrs.get(path) ?? [];
  const xattrs = context.overlay ? all.filter(([name]) => !name.startsWith(OVERLAY_XATTRS)) : all;
  const base = {
    name: rel,
    mode: stat.mode,
    uid: stat.uid,
    gid: stat.gid,
    mtime: stat.mtimeMs / 1000,
    xattrs,
  };
  if (context.overlay && stat.isCharacterDevice() && stat.rdev === 0) {
    yield encodeTarHeader(whiteoutEntry(base, WHITEOUT_PREFIX + baseName(rel)));
  } else if (stat.isDirectory()) {
    yield encodeTarHeader({ ...base, name: `${rel}/`, type: 'directory' });
    if (context.overlay && isOpaque(all))
      yield encodeTarHeader(whiteoutEntry(base, `${baseName(rel)}/${OPAQUE_MARKER}`));
  } else if (!stat.isSocket()) {
    yield* packNonDirectory(context, base, stat);
  }
}

async function* packNonDirectory(
  context: PackContext,
  base: Omit<TarHeader, 'type'>,
  stat: Stats,
): AsyncGenerator<Buffer> {
  const path = absolute(context, base.name);
  if (stat.nlink > 1) {
    const inode = `${stat.dev}:${stat.ino}`;
    const first = context.inodes.get(inode);
    if (first !== undefined) {
      yield encodeTarHeader({ ...base, type: 'link', linkname: first, xattrs: [] });
      return;
    }
    context.inodes.set(inode, base.name);
  }
  if (stat.isFile()) {
    yield encodeTarHeader({ ...base, type: 'file', size: stat.size });
    yield* fileContent(path, stat.size);
    yield padding(stat.size);
  } else if (stat.isSymbolicLink()) {
    yield encodeTarHeader({ ...base, type: 'symlink', linkname: await readlink(path) });
  } else if (stat.isFIFO()) {
    yield encodeTarHeader({ ...base, type: 'fifo' });
  } else {
    const type = stat.isBlockDevice() ? 'block-device' : 'character-device';
    yield encodeTarHeader({ ...base, type, ...deviceNumbers(stat.rdev) });
  }
}

/** A `.wh.` entry (an empty regular file) named `name` in the entry's directory. */
function whiteoutEntry(base: Omit<TarHeader, 'type'>, name: string): TarHeader {
  const slash = base.name.lastIndexOf('/');
  const dir = slash < 0 ? '' : base.name.slice(0, slash + 1);
  return { ...base, name: dir + name, type: 'file', mode: 0, size: 0, xattrs: [] };
}

function isOpaque(xattrs: readonly Xattr[]): boolean {
  return xattrs.some(([name, value]) => name === OPAQUE_XATTR && value.toString() === 'y');
}

async function* fileContent(path: string, size: number): AsyncGenerator<Buffer> {
  if (size === 0) return;
  let read = 0;
  for await (const chunk of createReadStream(path, { end: size - 1, highWaterMark: READ_CHUNK })) {
    read += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (read !== size) throw new BerthError('internal', `${path} changed while it was packed`);
}

/** Linux's dev_t encoding: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31. */
function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  const dev = BigInt(rdev);
  const devmajor = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const devminor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { devmajor, devminor };
}

/** Every xattr under `root`, with one getfattr (-P: no symlink followed; -h: a link's own). */
export async function readXattrs(
  root: string,
  signal: AbortSignal | undefined,
): Promise<Map<string, Xattr[]>> {
  const args = ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', '--', root];
  const tool = startTool({
    command: 'getfattr',
    args,
    ...(signal === undefined ? {} : { signal }),
  });
  tool.stdin.end();
  const parser = new XattrDumpParser();
  const reading = (async () => {
    for await (const line of createInterface({ input: tool.stdout, crlfDelay: Infinity }))
      parser.line(line);
  })();
  const [read, exited] = await Promise.allSettled([reading, tool.done]);
  if (exited.status === 'rejected') throw exited.reason;
  if (read.status === 'rejected') throw read.reason;
  return parser.files;
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

function absolute(context: PackContext, rel: string): string {
  return rel === '' ? context.root : `${context.root}/${rel}`;
}

function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}
