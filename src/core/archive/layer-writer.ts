// Writes the entries of one layer tar into its target, one at a time, in tar order.
//
// Speed: file creation bounds image pulls, so metadata operations are synchronous system calls
// (each takes microseconds; the event loop is yielded between entries, which arrive through an
// async iterator) and each file costs open, write, futimes and close, plus fchown/fchmod only
// when the header asks for what open did not already give.
//
// Safety: every parent directory is resolved inside the target by ScopedDirs; the last
// component is never followed (O_EXCL|O_NOFOLLOW, mkdir, symlink, link and mknod all fail on
// an existing name, which is then removed and created again).

import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import { promisify } from 'node:util';
import type { Header } from 'tar-stream';
import { hasErrno } from '../errors.js';
import { entryMeta, S_ISGID, SPECIAL_BITS, type EntryMeta } from './entry-meta.js';
import { finishLayer } from './finish-layer.js';
import {
  classifyWhiteout,
  entryError,
  normaliseEntryName,
  splitPath,
  type Whiteout,
} from './paths.js';
import { PendingOps } from './pending.js';
import { ScopedDirs, type ScopedDir } from './scoped-dirs.js';
import type { WhiteoutFormat } from './types.js';

const writeAsync = promisify(write);
/** Files up to this size are written with synchronous writes, larger ones asynchronously. */
const SYNC_WRITE_LIMIT = 1024 * 1024;
const CREATE_FILE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const OPAQUE_XATTR = ['trusted.overlay.opaque', Buffer.from('y')] as const;

export interface LayerWriterOptions {
  readonly root: string;
  readonly whiteouts: WhiteoutFormat;
  /** The process's umask: open and mkdir apply it, so modes it masks need a chmod. */
  readonly umask: number;
  /** Tells whether a file entry's data ran into the padding of a truncated tar. */
  readonly isTruncated: (header: Header) => boolean;
}

/** Where an entry goes: its parent directory and its absolute path. */
interface Placement {
  readonly parent: ScopedDir;
  readonly real: string;
  readonly abs: string;
}

export class LayerWriter {
  readonly #options: LayerWriterOptions;
  readonly #pending = new PendingOps();
  readonly #dirs: ScopedDirs;
  /** 'delete' only: what this layer created, which an opaque marker keeps. */
  readonly #created = new Set<string>();
  #size = 0;

  constructor(options: LayerWriterOptions) {
    this.#options = options;
    this.#dirs = new ScopedDirs(options.root, (abs) => this.#markCreated(abs));
  }

  /**
   * The layer's size as Docker counts it (the lstat sizes of what is not a directory, each
   * inode once): regular-file content plus symlink targets.
   */
  get size(): number {
    return this.#size;
  }

  /** Applies one entry; `data` is its content stream (drained for every type). */
  async write(header: Header, data: AsyncIterable<Buffer>): Promise<void> {
    const entry = header.name;
    const rel = normaliseEntryName(entry);
    const whiteout = classifyWhiteout(rel, entry);
    const meta = entryMeta(header, entry);
    if (whiteout === undefined && (header.type === 'file' || header.type === 'contiguous-file')) {
      await this.#file(rel, entry, meta, header, data);
      return;
    }
    await drain(data);
    if (whiteout !== undefined) this.#whiteout(whiteout, entry, meta);
    else this.#other(rel, entry, meta, header);
  }

  /** Does the batched work (nodes, xattrs, directory mtimes). Call once, after the last entry. */
  async finish(signal: AbortSignal): Promise<void> {
    await finishLayer(this.#options.root, this.#pending, signal);
  }

  #other(rel: string, entry: string, meta: EntryMeta, header: Header): void {
    switch (header.type) {
      case 'directory':
        return this.#directory(rel, entry, meta);
      case 'symlink':
        return this.#symlink(rel, entry, meta, header.linkname ?? '');
      case 'link':
        return this.#hardLink(rel, entry, header.linkname ?? '');
      case 'character-device':
      case 'block-device':
      case 'fifo':
        return this.#node(rel, entry, meta, header);
      default:
        throw entryError(entry, `has an unsupported type (${header.type ?? 'unknown'})`);
    }
  }

  async #file(
    rel: string,
    entry: string,
    meta: EntryMeta,
    header: Header,
    data: AsyncIterable<Buffer>,
  ): Promise<void> {
    const size = header.size ?? 0;
    const place = this.#place(rel, entry);
    const fd = this.#create(place.abs, () => openSync(place.abs, CREATE_FILE, meta.mode));
    try {
      const written = await writeContent(fd, data, size);
      if (written !== size || this.#options.isTruncated(header))
        throw entryError(entry, 'is truncated');
      if (this.#needsChown(meta, place.parent)) fchownSync(fd, meta.uid, meta.gid);
      if (this.#needsChmod(meta, false)) fchmodSync(fd, meta.mode);
      futimesSync(fd, meta.mtime, meta.mtime);
    } finally {
      closeSync(fd);
    }
    this.#size += size;
    this.#markCreated(place.abs);
    this.#pending.addXattrs(place.abs, meta.xattrs);
  }

  #directory(rel: string, entry: string, meta: EntryMeta): void {
    if (rel === '') {
      this.#setExistingDir(this.#options.root, meta);
      return;
    }
    const place = this.#place(rel, entry);
    let existed = false;
    try {
      mkdirSync(place.abs, meta.mode);
    } catch (err) {
      if (!hasErrno(err, 'EEXIST')) throw err;
      existed = this.#removeExisting(place.abs, true);
      if (!existed) mkdirSync(place.abs, meta.mode);
    }
    if (existed) {
      this.#setExistingDir(place.abs, meta);
    } else {
      if (this.#needsChown(meta, place.parent)) lchownSync(place.abs, meta.uid, meta.gid);
      if (this.#needsChmod(meta, place.parent.setgid)) chmodSync(place.abs, meta.mode);
      this.#pending.dirTimes.set(place.abs, meta.mtime);
      this.#pending.addXattrs(place.abs, meta.xattrs);
    }
    this.#dirs.remember(rel, { real: place.real, setgid: (meta.mode & S_ISGID) !== 0 });
    this.#markCreated(place.abs);
  }

  /** A directory entry for a directory that is already there: it is kept, its attributes set. */
  #setExistingDir(abs: string, meta: EntryMeta): void {
    lchownSync(abs, meta.uid, meta.gid);
    chmodSync(abs, meta.mode);
    this.#pending.dirTimes.set(abs, meta.mtime);
    this.#pending.addXattrs(abs, meta.xattrs);
    if (abs === this.#options.root) this.#dirs.forget();
  }

  #symlink(rel: string, entry: string, meta: EntryMeta, target: string): void {
    if (target === '' || target.includes('\0'))
      throw entryError(entry, 'has an invalid symlink target');
    const place = this.#place(rel, entry);
    this.#create(place.abs, () => symlinkSync(target, place.abs));
    this.#size += Buffer.byteLength(target);
    if (this.#needsChown(meta, place.parent)) lchownSync(place.abs, meta.uid, meta.gid);
    lutimesSync(place.abs, meta.mtime, meta.mtime);
    this.#markCreated(place.abs);
    this.#pending.addXattrs(place.abs, meta.xattrs);
  }

  /** A hard link to an earlier entry (or, for 'delete', to a file already in the target). */
  #hardLink(rel: string, entry: string, linkname: string): void {
    const targetRel = normaliseEntryName(linkname, entry);
    const { parent, base } = splitPath(targetRel);
    const targetDir = targetRel === '' ? undefined : this.#dirs.resolve(parent, entry, false);
    if (targetDir === undefined)
      throw entryError(entry, `links to ${JSON.stringify(linkname)}, which does not exist`);
    const target = this.#dirs.abs(join(targetDir.real, base));
    const place = this.#place(rel, entry);
    if (place.abs === target) return;
    if (this.#pending.isPendingNode(target)) {
      this.#removeIfExists(place.abs);
      this.#pending.links.set(place.abs, this.#pending.links.get(target) ?? target);
    } else {
      const stat = lstatOrUndefined(target);
      if (stat === undefined)
        throw entryError(entry, `links to ${JSON.stringify(linkname)}, which does not exist`);
      if (stat.isDirectory())
        throw entryError(entry, `links to the directory ${JSON.stringify(linkname)}`);
      this.#create(place.abs, () => linkSync(target, place.abs));
    }
    this.#markCreated(place.abs);
  }

  #node(rel: string, entry: string, meta: EntryMeta, header: Header): void {
    const place = this.#place(rel, entry);
    this.#removeIfExists(place.abs);
    const type = header.type === 'fifo' ? 'p' : header.type === 'block-device' ? 'b' : 'c';
    this.#pending.nodes.set(place.abs, {
      type,
      major: header.devmajor ?? 0,
      minor: header.devminor ?? 0,
      mode: meta.mode,
      uid: meta.uid,
      gid: meta.gid,
      mtime: meta.mtime,
      chown: this.#needsChown(meta, place.parent),
    });
    this.#markCreated(place.abs);
    this.#pending.addXattrs(place.abs, meta.xattrs);
  }

  #whiteout(whiteout: Whiteout, entry: string, meta: EntryMeta): void {
    if (whiteout.kind === 'ignored') return;
    if (this.#options.whiteouts === 'overlay') this.#overlayWhiteout(whiteout, entry, meta);
    else this.#deleteWhiteout(whiteout, entry);
  }

  /** overlayfs: a 0/0 character device for a deletion, an xattr for an opaque directory. */
  #overlayWhiteout(
    whiteout: Exclude<Whiteout, { kind: 'ignored' }>,
    entry: string,
    meta: EntryMeta,
  ): void {
    if (whiteout.kind === 'opaque') {
      const dir = this.#dirs.resolve(whiteout.dir, entry, true);
      if (dir !== undefined) this.#pending.addXattrs(this.#dirs.abs(dir.real), [OPAQUE_XATTR]);
      return;
    }
    const place = this.#place(whiteout.path, entry);
    this.#removeIfExists(place.abs);
    this.#pending.nodes.set(place.abs, {
      type: 'c',
      major: 0,
      minor: 0,
      mode: 0,
      uid: meta.uid,
      gid: meta.gid,
      mtime: undefined,
      chown: this.#needsChown(meta, place.parent),
    });
  }

  /** A full copy of the parent: a deletion removes; an opaque directory loses what this layer did not create. */
  #deleteWhiteout(whiteout: Exclude<Whiteout, { kind: 'ignored' }>, entry: string): void {
    if (whiteout.kind === 'opaque') {
      const dir = this.#dirs.resolve(whiteout.dir, entry, false);
      if (dir !== undefined) this.#clearOpaque(this.#dirs.abs(dir.real));
      return;
    }
    const { parent, base } = splitPath(whiteout.path);
    const dir = this.#dirs.resolve(parent, entry, false);
    if (dir === undefined) return;
    const abs = this.#dirs.abs(join(dir.real, base));
    this.#pending.supersede(abs);
    this.#removeIfExists(abs);
  }

  #clearOpaque(dir: string): void {
    for (const child of readdirSync(dir, { withFileTypes: true })) {
      const abs = `${dir}/${child.name}`;
      if (!this.#created.has(abs)) this.#remove(abs, child.isDirectory(), child.isSymbolicLink());
      else if (child.isDirectory()) this.#clearOpaque(abs);
    }
  }

  /** Resolves an entry's parent (creating missing directories) and names its path. */
  #place(rel: string, entry: string): Placement {
    const { parent: parentRel, base } = splitPath(rel);
    const parent = this.#dirs.resolve(parentRel, entry, true);
    if (parent === undefined) throw entryError(entry, 'has no parent directory');
    const real = join(parent.real, base);
    const abs = this.#dirs.abs(real);
    this.#pending.supersede(abs);
    return { parent, real, abs };
  }

  /** Runs `create`; if the name exists, removes what is there and runs it again. */
  #create<T>(abs: string, create: () => T): T {
    try {
      return create();
    } catch (err) {
      if (!hasErrno(err, 'EEXIST')) throw err;
    }
    this.#removeExisting(abs, false);
    return create();
  }

  #removeIfExists(abs: string): void {
    if (lstatOrUndefined(abs) !== undefined) this.#removeExisting(abs, false);
  }

  /** Removes what is at `abs`, unless it is a directory and `keepDir`; true if kept. */
  #removeExisting(abs: string, keepDir: boolean): boolean {
    const stat = lstatSync(abs);
    if (keepDir && stat.isDirectory()) return true;
    this.#remove(abs, stat.isDirectory(), stat.isSymbolicLink());
    return false;
  }

  #remove(abs: string, isDir: boolean, isSymlink: boolean): void {
    if (isDir) rmSync(abs, { recursive: true, force: true });
    else unlinkSync(abs);
    // A removed directory or symlink may be part of a cached resolution.
    if (isDir || isSymlink) this.#dirs.forget();
    this.#pending.forget(abs, isDir);
  }

  #markCreated(abs: string): void {
    if (this.#options.whiteouts === 'delete') this.#created.add(abs);
  }

  /** Root creates everything 0:0, but a set-group-ID directory passes on its group. */
  #needsChown(meta: EntryMeta, parent: ScopedDir): boolean {
    return meta.uid !== 0 || meta.gid !== 0 || parent.setgid;
  }

  /** open and mkdir apply the umask and drop set-ID bits; mkdir inherits a parent's setgid. */
  #needsChmod(meta: EntryMeta, inheritsSetgid: boolean): boolean {
    return (
      (meta.mode & SPECIAL_BITS) !== 0 || (meta.mode & this.#options.umask) !== 0 || inheritsSetgid
    );
  }
}

function join(dir: string, base: string): string {
  return dir === '' ? base : `${dir}/${base}`;
}

function lstatOrUndefined(abs: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(abs);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

async function writeContent(
  fd: number,
  data: AsyncIterable<Buffer>,
  size: number,
): Promise<number> {
  let written = 0;
  for await (const chunk of data) {
    if (size <= SYNC_WRITE_LIMIT) writeAllSync(fd, chunk);
    else await writeAll(fd, chunk);
    written += chunk.length;
  }
  return written;
}

function writeAllSync(fd: number, chunk: Buffer): void {
  for (let offset = 0; offset < chunk.length;) offset += writeSync(fd, chunk, offset);
}

async function writeAll(fd: number, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length;) {
    offset += (await writeAsync(fd, chunk, offset)).bytesWritten;
  }
}

async function drain(data: AsyncIterable<Buffer>): Promise<void> {
  for await (const _chunk of data) {
    // the content of an entry that has none to write (a whiteout, a link) is skipped
  }
}
