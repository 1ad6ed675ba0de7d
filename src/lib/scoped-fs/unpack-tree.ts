// Writing the entries of a tar archive into a directory of a ScopedRoot, with the rules of
// Docker's archive copy (moby's Unpack, which runs chrooted into the container): names are
// cleaned and joined to the destination, a name or link that lexically leaves it is refused,
// missing parents are created, an existing entry is replaced (a directory onto a directory
// is merged), and owners, modes and times come from the headers.
//
// Every path is resolved by ScopedRoot, so symlinks (those in the tree and those the archive
// itself creates) can only lead inside the root; the last component is never followed
// (O_EXCL|O_NOFOLLOW, mkdir, symlink, link and mknod all refuse an existing name).

import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  write,
} from 'node:fs';
import { promisify } from 'node:util';
import type { Header } from 'tar-stream';
import { cleanPath, dirPath, isWithin, joinPath } from './go-path.js';
import {
  at,
  lstatAt,
  ScopedPathError,
  type Found,
  type HeldDir,
  type ScopedRoot,
} from './scoped-root.js';

const writeAsync = promisify(write);
const CREATE_FILE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Bounds the recursion of a replaced directory's removal. */
const MAX_REMOVE_DEPTH = 4096;

/** Why an archive could not be unpacked; the message says it as Docker does. */
export class UnpackError extends Error {
  override readonly name = 'UnpackError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface ArchiveEntry {
  readonly header: Header;
  /** The entry's content (drained for every type). */
  readonly data: AsyncIterable<Buffer>;
}

export interface DeviceNode {
  readonly type: 'character-device' | 'block-device' | 'fifo';
  readonly mode: number;
  readonly major: number;
  readonly minor: number;
}

export interface UnpackOptions {
  readonly root: ScopedRoot;
  /** The destination directory's path inside the root, symlinks resolved. */
  readonly dest: string;
  /** Refuse to replace a directory by a non-directory, or the reverse. */
  readonly noOverwriteDirNonDir: boolean;
  /**
   * 'keep': each entry gets the owner its header names; 'ignore': entries stay owned by this
   * process; an owner: every entry gets it.
   */
  readonly owners: 'keep' | 'ignore' | { readonly uid: number; readonly gid: number };
  /**
   * Where the root is as the archive's author sees it, for the lexical checks and the messages
   * (default "/": inside a container; a client unpacking into a host directory passes its
   * path, so that a link reaching above that directory is refused as Docker's client does).
   */
  readonly lexicalRoot?: string;
  /** Renames each entry (and each hard link's target) before anything else. */
  readonly rename?: (name: string) => string;
  /** Creates a device node or fifo at a host path (Node cannot); absent, such entries fail. */
  readonly makeNode?: (path: string, node: DeviceNode) => Promise<void>;
  readonly signal?: AbortSignal;
}

/** Unpacks `entries` in order; stops at the first failure (what was written stays). */
export async function unpackTree(
  entries: AsyncIterable<ArchiveEntry>,
  options: UnpackOptions,
): Promise<void> {
  const unpacker = new Unpacker(options);
  for await (const entry of entries) {
    options.signal?.throwIfAborted();
    await unpacker.entry(entry);
  }
  options.signal?.throwIfAborted();
  unpacker.finish();
}

class Unpacker {
  readonly #options: UnpackOptions;
  readonly #root: ScopedRoot;
  /** The destination as the messages and lexical checks see it. */
  readonly #shownDest: string;
  /** Directories' mtimes, set last: each entry written into a directory changes it. */
  readonly #dirTimes: { readonly path: string; readonly mtime: number }[] = [];

  constructor(options: UnpackOptions) {
    this.#options = options;
    this.#root = options.root;
    this.#shownDest = this.#shown(options.dest);
  }

  async entry(entry: ArchiveEntry): Promise<void> {
    const { header } = entry;
    const name = cleanPath(this.#rename(header.name));
    const dest = this.#options.dest;
    if (!isWithin(this.#shownDest, joinPath(this.#shownDest, name))) {
      throw new UnpackError(`${q(name)} is outside of ${q(this.#shownDest)}`);
    }
    const path = joinPath(dest, name);
    const found = this.#find(path, { createParents: true, syscall: 'mkdir' });
    try {
      const existing = found.stat;
      const isDir = header.type === 'directory';
      if (existing !== undefined) {
        if (this.#options.noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
          throw new UnpackError(
            `cannot overwrite directory ${q(this.#shown(path))} with non-directory ${q(this.#shownDest)}`,
          );
        }
        if (this.#options.noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
          throw new UnpackError(
            `cannot overwrite non-directory ${q(this.#shown(path))} with directory ${q(this.#shownDest)}`,
          );
        }
        // The destination itself, named by a "." entry, keeps its own attributes.
        if (existing.isDirectory() && name === '.') {
          await drain(entry.data);
          return;
        }
        if (!(existing.isDirectory() && isDir)) {
          // The root of the tree itself cannot be replaced.
          if (found.name === '') {
            throw new UnpackError(
              `cannot overwrite directory ${q(this.#shown(path))} with non-directory ${q(this.#shownDest)}`,
            );
          }
          this.#remove(found.dir, found.name, path, 0);
        }
      }
      await this.#create(entry, found);
      if (isDir) this.#dirTimes.push({ path, mtime: mtimeOf(header) });
    } finally {
      this.#root.release(found.dir);
    }
  }

  finish(): void {
    for (const { path, mtime } of this.#dirTimes) this.#setDirTime(path, mtime);
  }

  async #create(entry: ArchiveEntry, found: Found): Promise<void> {
    const { header } = entry;
    const { dir, name, path } = found;
    const mode = header.mode & 0o7777;
    const mtime = mtimeOf(header);
    switch (header.type) {
      case 'directory': {
        if (found.stat === undefined)
          this.#call('mkdir', path, () => mkdirSync(at(dir, name), mode));
        await drain(entry.data);
        // name '' is the root of the tree itself (a "/" entry unpacked into "/").
        const fd = this.#call('open', path, () => openSync(at(dir, name || '.'), DIR_FLAGS));
        try {
          this.#setOwner(header, (uid, gid) => fchownSync(fd, uid, gid));
          fchmodSync(fd, mode);
        } finally {
          closeSync(fd);
        }
        return;
      }
      case 'file':
      case 'contiguous-file': {
        const fd = this.#call('open', path, () => openSync(at(dir, name), CREATE_FILE, mode));
        try {
          const written = await writeContent(fd, entry.data);
          if (written !== header.size)
            throw new UnpackError(`${this.#shown(path)}: unexpected end of archive`);
          this.#setOwner(header, (uid, gid) => fchownSync(fd, uid, gid));
          // After chown, which clears set-ID bits; open applied the umask.
          fchmodSync(fd, mode);
          futimesSync(fd, mtime, mtime);
        } finally {
          closeSync(fd);
        }
        return;
      }
      case 'symlink': {
        await drain(entry.data);
        const target = header.linkname;
        const shownPath = this.#shown(path);
        if (
          target === '' ||
          target.includes('\0') ||
          !isWithin(this.#shownDest, joinPath(dirPath(shownPath), target))
        ) {
          throw new UnpackError(`invalid symlink ${q(shownPath)} -> ${q(target)}`);
        }
        this.#call('symlink', path, () => symlinkSync(target, at(dir, name)));
        this.#setOwner(header, (uid, gid) => lchownSync(at(dir, name), uid, gid));
        lutimesSync(at(dir, name), mtime, mtime);
        return;
      }
      case 'link':
        await drain(entry.data);
        this.#hardLink(found, this.#rename(header.linkname));
        return;
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        await drain(entry.data);
        const makeNode = this.#options.makeNode;
        if (makeNode === undefined) {
          throw new UnpackError(`mknod ${this.#shown(path)}: device nodes cannot be created here`);
        }
        await makeNode(`/proc/${process.pid}/fd/${dir.fd}/${name}`, {
          type: header.type,
          mode,
          major: header.devmajor ?? 0,
          minor: header.devminor ?? 0,
        });
        this.#setOwner(header, (uid, gid) => lchownSync(at(dir, name), uid, gid));
        lutimesSync(at(dir, name), mtime, mtime);
        return;
      }
      default:
        throw new UnpackError(`unhandled tar header type ${String(header.type)}`);
    }
  }

  /** A hard link to an entry already in the destination (named as the archive names it). */
  #hardLink(found: Found, linkname: string): void {
    const shownTarget = joinPath(this.#shownDest, linkname);
    if (linkname === '' || !isWithin(this.#shownDest, shownTarget)) {
      throw new UnpackError(`invalid hardlink ${q(shownTarget)} -> ${q(linkname)}`);
    }
    const described = `${shownTarget} ${this.#shown(found.path)}`;
    let source: Found;
    try {
      source = this.#root.find(joinPath(this.#options.dest, linkname));
    } catch (err) {
      if (!(err instanceof ScopedPathError)) throw err;
      throw new UnpackError(`link ${described}: ${err.reason}`, err.code);
    }
    try {
      if (source.stat === undefined)
        throw new UnpackError(`link ${described}: no such file or directory`, 'ENOENT');
      if (source.name === '' || source.stat.isDirectory())
        throw new UnpackError(`link ${described}: operation not permitted`, 'EPERM');
      const from = at(source.dir, source.name);
      this.#call('link', described, () => linkSync(from, at(found.dir, found.name)), false);
    } finally {
      this.#root.release(source.dir);
    }
  }

  #setOwner(header: Header, chown: (uid: number, gid: number) => void): void {
    const owners = this.#options.owners;
    if (owners === 'ignore') return;
    if (owners === 'keep') {
      const pax = (header.pax ?? {}) as Record<string, string | undefined>;
      chown(Number(pax['uid'] ?? header.uid), Number(pax['gid'] ?? header.gid));
      return;
    }
    chown(owners.uid, owners.gid);
  }

  #setDirTime(path: string, mtime: number): void {
    const found = this.#find(path, { syscall: 'chtimes' });
    try {
      if (!found.stat?.isDirectory()) return; // replaced by a later entry
      const dir = this.#root.openFound(found);
      if (dir === undefined) return;
      try {
        futimesSync(dir.fd, mtime, mtime);
      } finally {
        this.#root.release(dir);
      }
    } finally {
      this.#root.release(found.dir);
    }
  }

  /** Removes what `name` is in `dir`: a file, a symlink (never followed), or a whole tree. */
  #remove(dir: HeldDir, name: string, path: string, depth: number): void {
    const stat = lstatAt(dir, name);
    if (stat === undefined) return;
    if (!stat.isDirectory()) {
      this.#call('unlink', path, () => unlinkSync(at(dir, name)));
      return;
    }
    if (depth > MAX_REMOVE_DEPTH)
      throw new UnpackError(`remove ${this.#shown(path)}: directory tree too deep`);
    const fd = this.#call('open', path, () => openSync(at(dir, name), DIR_FLAGS));
    try {
      const held: HeldDir = { fd, path };
      for (const child of readdirSync(at(held)))
        this.#remove(held, child, joinPath(path, child), depth + 1);
    } finally {
      closeSync(fd);
    }
    this.#call('rmdir', path, () => rmdirSync(at(dir, name)));
  }

  #find(path: string, options: { createParents?: boolean; syscall: string }): Found {
    try {
      return this.#root.find(path, options);
    } catch (err) {
      if (!(err instanceof ScopedPathError)) throw err;
      throw new UnpackError(`${err.syscall} ${this.#shown(err.path)}: ${err.reason}`, err.code);
    }
  }

  /**
   * Runs a file system call on a path reached through a /proc/self/fd link; a failure names
   * the call and the path as the archive's author sees it, as Docker's messages do.
   */
  #call<T>(syscall: string, path: string, call: () => T, showPath = true): T {
    try {
      return call();
    } catch (err) {
      const { code, message } = err as NodeJS.ErrnoException;
      if (typeof code !== 'string') throw err;
      const text = /^[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? code;
      throw new UnpackError(`${syscall} ${showPath ? this.#shown(path) : path}: ${text}`, code);
    }
  }

  #shown(path: string): string {
    return joinPath(this.#options.lexicalRoot ?? '/', path);
  }

  #rename(name: string): string {
    return this.#options.rename ? this.#options.rename(name) : name;
  }
}

function q(text: string): string {
  return JSON.stringify(text);
}

function mtimeOf(header: Header): number {
  const pax = (header.pax ?? {}) as Record<string, string | undefined>;
  const exact = Number(pax['mtime']);
  return Number.isFinite(exact) ? exact : header.mtime.getTime() / 1000;
}

async function writeContent(fd: number, data: AsyncIterable<Buffer>): Promise<number> {
  let written = 0;
  for await (const chunk of data) {
    for (let offset = 0; offset < chunk.length;) {
      offset += (await writeAsync(fd, chunk, offset)).bytesWritten;
    }
    written += chunk.length;
  }
  return written;
}

async function drain(data: AsyncIterable<Buffer>): Promise<void> {
  for await (const _chunk of data) {
    // entries other than files carry no content to write
  }
}
