// Walking a file or directory of a ScopedRoot as the entries of a tar archive, in Go's order
// (names sorted bytewise, a directory before its content). Every entry is opened from its held
// parent with O_PATH|O_NOFOLLOW and described by fstat of that descriptor, so what is read is
// what was described: a symlink is never followed, a device is never opened, a fifo never
// blocks, and a file is read through a second open of the same inode.

import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  read,
  readdirSync,
  readlinkSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { promisify } from 'node:util';
import { joinPath } from './go-path.js';
import { at, isErrno, type Found, type HeldDir } from './scoped-root.js';

/** Linux's O_PATH: a descriptor that only locates an inode (Node does not export it). */
export const O_PATH = 0o10000000;
const PATH_FLAGS = O_PATH | constants.O_NOFOLLOW;
const READ_CHUNK = 64 * 1024;
const readAsync = promisify(read);

export type TreeEntryType =
  'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';

export interface TreeEntry {
  /** The entry's name in the archive (no trailing slash for directories). */
  readonly name: string;
  readonly type: TreeEntryType;
  /** Permission, set-ID and sticky bits. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  /** Content bytes (regular files only; 0 otherwise). */
  readonly size: number;
  /** A symlink's target, or the archive name of a hard link's first entry. */
  readonly linkname?: string;
  readonly devmajor?: number;
  readonly devminor?: number;
  /**
   * A regular file's content: exactly `size` bytes (zeros make up for a file that shrank while
   * it was read). Consume it before asking for the next entry.
   */
  readonly content?: AsyncIterable<Buffer>;
}

export interface WalkOptions {
  /**
   * The archive name of `source`. Entries below a directory are named `<name>/<path>`; the
   * name "/" gives `/<path>`; the empty name leaves `source` itself out and names what is
   * under it `<path>` (a whole-tree export).
   */
  readonly name: string;
  readonly signal?: AbortSignal;
}

interface WalkContext {
  readonly signal: AbortSignal | undefined;
  /** `dev:ino` of files with several links → the archive name of the first one. */
  readonly inodes: Map<string, string>;
}

/** The entries of what `source` names (which must exist), as a tar of it would hold them. */
export async function* walkTree(source: Found, options: WalkOptions): AsyncGenerator<TreeEntry> {
  const context: WalkContext = { signal: options.signal, inodes: new Map() };
  const name = source.name === '' ? '.' : source.name;
  const fd = openSync(at(source.dir, name), PATH_FLAGS);
  try {
    const stat = fstatSync(fd);
    if (options.name !== '' || !stat.isDirectory()) {
      const entry = describe(context, options.name, stat, () => readlinkSync(at(source.dir, name)));
      if (entry !== undefined) yield* emit(entry, fd, stat);
    }
    if (stat.isDirectory()) yield* walkDir(context, { fd, path: source.path }, options.name);
  } finally {
    closeSync(fd);
  }
}

async function* walkDir(
  context: WalkContext,
  dir: HeldDir,
  prefix: string,
): AsyncGenerator<TreeEntry> {
  const names = readdirSync(at(dir)).sort(compareBytes);
  for (const child of names) {
    context.signal?.throwIfAborted();
    const name = prefix === '' ? child : prefix === '/' ? `/${child}` : `${prefix}/${child}`;
    let fd: number;
    try {
      fd = openSync(at(dir, child), PATH_FLAGS);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue; // removed while we looked
      throw err;
    }
    try {
      const stat = fstatSync(fd);
      const entry = describe(context, name, stat, () => readlinkSync(at(dir, child)));
      if (entry !== undefined) yield* emit(entry, fd, stat);
      if (stat.isDirectory())
        yield* walkDir(context, { fd, path: joinPath(dir.path, child) }, name);
    } finally {
      closeSync(fd);
    }
  }
}

async function* emit(entry: TreeEntry, fd: number, stat: Stats): AsyncGenerator<TreeEntry> {
  if (entry.type !== 'file') {
    yield entry;
    return;
  }
  // A second open of the inode the O_PATH descriptor holds, for reading.
  const reader = openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    yield { ...entry, content: readContent(reader, stat.size) };
  } finally {
    closeSync(reader);
  }
}

/** The entry for a stat, or undefined for what a tar does not hold (a socket). */
function describe(
  context: WalkContext,
  name: string,
  stat: Stats,
  readLink: () => string,
): TreeEntry | undefined {
  const base = {
    name,
    mode: stat.mode & 0o7777,
    uid: stat.uid,
    gid: stat.gid,
    mtime: Math.floor(stat.mtimeMs / 1000),
    size: 0,
  };
  if (stat.isDirectory()) return { ...base, type: 'directory' };
  if (stat.isSocket()) return undefined;
  if (stat.nlink > 1) {
    const inode = `${stat.dev}:${stat.ino}`;
    const first = context.inodes.get(inode);
    if (first !== undefined) return { ...base, type: 'link', linkname: first };
    context.inodes.set(inode, name);
  }
  if (stat.isFile()) return { ...base, type: 'file', size: stat.size };
  if (stat.isSymbolicLink()) {
    try {
      return { ...base, type: 'symlink', linkname: readLink() };
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'EINVAL')) return undefined; // replaced while we looked
      throw err;
    }
  }
  if (stat.isFIFO()) return { ...base, type: 'fifo' };
  return {
    ...base,
    type: stat.isBlockDevice() ? 'block-device' : 'character-device',
    ...deviceNumbers(stat.rdev),
  };
}

async function* readContent(fd: number, size: number): AsyncGenerator<Buffer> {
  let offset = 0;
  while (offset < size) {
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - offset));
    const { bytesRead } = await readAsync(fd, chunk, 0, chunk.length, offset);
    if (bytesRead === 0) {
      // The file shrank since its stat: zeros keep the archive whole.
      yield Buffer.alloc(size - offset);
      return;
    }
    offset += bytesRead;
    yield chunk.subarray(0, bytesRead);
  }
}

/** Linux's dev_t encoding: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31. */
function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  const dev = BigInt(rdev);
  const devmajor = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const devminor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { devmajor, devminor };
}

/** Go sorts names as bytes (UTF-8), not as UTF-16 code units. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
