// A directory tree treated as `/` (as chroot would), walked one component at a time from open
// directory descriptors, openat-style: every name is looked up in a directory held open by fd
// (through its /proc/self/fd link), symlinks are expanded by this code against the tree's root
// (an absolute target restarts at the root, `..` never climbs above it), and nothing is ever
// resolved by the kernel from a path string that a concurrent writer could redirect. A running
// container that swaps a directory for a symlink mid-walk can only send the walk elsewhere
// inside its own tree.

import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
} from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { joinPath } from './go-path.js';

/** Linux's limit on symlinks expanded in one lookup (filepath-securejoin uses the same). */
export const MAX_SYMLINKS = 255;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Retries of a component that changed type between its lstat and its open (a race). */
const MAX_RACES = 16;

/** A directory inside the root, held open: its descriptor and its symlink-free path. */
export interface HeldDir {
  readonly fd: number;
  /** The directory's path inside the root (`/` for the root), no symlinks in it. */
  readonly path: string;
}

/** What a path names: a name in a held directory, or (name '') the held directory itself. */
export interface Found {
  readonly dir: HeldDir;
  /** The last component, not followed; '' when the path resolved to `dir` itself. */
  readonly name: string;
  /** Its lstat (the directory's own stat when name is ''); undefined if it does not exist. */
  readonly stat: BigIntStats | undefined;
  /** Its path inside the root, no symlinks above the last component. */
  readonly path: string;
}

export type ScopedErrorCode = 'ENOENT' | 'ENOTDIR' | 'ELOOP';

const ERROR_TEXT: Record<ScopedErrorCode, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
};

/** A lookup failure, with the errno-style code callers match (ENOENT, ENOTDIR, ELOOP). */
export class ScopedPathError extends Error {
  override readonly name = 'ScopedPathError';
  /** What went wrong, without the call and the path ("not a directory"). */
  readonly reason: string;
  constructor(
    readonly code: ScopedErrorCode,
    readonly syscall: string,
    readonly path: string,
  ) {
    super(`${syscall} ${path}: ${ERROR_TEXT[code]}`);
    this.reason = ERROR_TEXT[code];
  }
}

export interface FindOptions {
  /** Follow a symlink in the last component too (default: no, as lstat). */
  readonly follow?: boolean;
  /** Create missing directories above the last component (0755). */
  readonly createParents?: boolean;
  /** The operation named in error messages (default `lstat`). */
  readonly syscall?: string;
}

/** The path through which the kernel looks `name` up in the held directory `dir`. */
export function at(dir: HeldDir, name = ''): string {
  return name === '' ? `/proc/self/fd/${dir.fd}` : `/proc/self/fd/${dir.fd}/${name}`;
}

export function lstatAt(dir: HeldDir, name: string): BigIntStats | undefined {
  try {
    return lstatSync(at(dir, name), { bigint: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

export class ScopedRoot {
  readonly #root: HeldDir;

  private constructor(
    readonly hostPath: string,
    fd: number,
  ) {
    this.#root = { fd, path: '/' };
  }

  /** Opens the tree at `hostPath` (which must be a directory; it may not be a symlink). */
  static open(hostPath: string): ScopedRoot {
    return new ScopedRoot(hostPath, openSync(hostPath, DIR_FLAGS));
  }

  get root(): HeldDir {
    return this.#root;
  }

  close(): void {
    closeSync(this.#root.fd);
  }

  /** Closes a directory `find` or `openDir` returned (the root stays open). */
  release(dir: HeldDir): void {
    if (dir.fd !== this.#root.fd) closeSync(dir.fd);
  }

  /**
   * Resolves `path` (taken as absolute inside the root) to its last component in a held
   * directory; the caller releases `found.dir`. Missing directories above the last component
   * are ENOENT (or created, with `createParents`); a non-directory there is ENOTDIR. A path
   * that ends in `/` or `/.` resolves to the directory itself (name '').
   */
  find(path: string, options: FindOptions = {}): Found {
    const syscall = options.syscall ?? 'lstat';
    const queue = path.split('/');
    const stack: HeldDir[] = [this.#root];
    let keep: HeldDir | undefined;
    let hops = 0;
    let races = 0;
    try {
      for (;;) {
        const part = queue.shift();
        const top = stack[stack.length - 1] as HeldDir;
        if (part === undefined) {
          keep = top;
          return { dir: top, name: '', stat: fstatSync(top.fd, { bigint: true }), path: top.path };
        }
        if (part === '' || part === '.') continue;
        if (part === '..') {
          if (stack.length > 1) closeSync((stack.pop() as HeldDir).fd);
          continue;
        }
        const stat = lstatAt(top, part);
        const last = queue.length === 0;
        if (last && (stat === undefined || !(options.follow && stat.isSymbolicLink()))) {
          keep = top;
          return { dir: top, name: part, stat, path: joinPath(top.path, part) };
        }
        if (stat?.isSymbolicLink()) {
          if (++hops > MAX_SYMLINKS) throw new ScopedPathError('ELOOP', syscall, path);
          const target = readlinkSync(at(top, part));
          if (target.startsWith('/')) {
            for (const dir of stack.splice(1)) closeSync(dir.fd);
          }
          queue.unshift(...target.split('/'));
          continue;
        }
        if (stat === undefined) {
          if (!options.createParents) throw new ScopedPathError('ENOENT', syscall, path);
          mkdirIfMissing(top, part);
        } else if (!stat.isDirectory()) {
          throw new ScopedPathError('ENOTDIR', syscall, path);
        }
        const fd = openDirAt(top, part);
        if (fd === undefined) {
          // It changed between the lstat and the open: look at it again.
          if (++races > MAX_RACES) throw new ScopedPathError('ELOOP', syscall, path);
          queue.unshift(part);
          continue;
        }
        stack.push({ fd, path: joinPath(top.path, part) });
      }
    } finally {
      for (const dir of stack.slice(1)) if (dir !== keep) closeSync(dir.fd);
    }
  }

  /** Opens the directory `path` names, following every symlink; the caller releases it. */
  openDir(path: string, options: { create?: boolean; syscall?: string } = {}): HeldDir {
    // A trailing "/." makes every real component a directory to walk through.
    return this.find(`${path}/.`, {
      createParents: options.create,
      syscall: options.syscall,
    }).dir;
  }

  /**
   * The text of the file `path` names (symlinks followed inside the root), at most `maxBytes`;
   * undefined when there is no such file.
   */
  readText(path: string, maxBytes: number): string | undefined {
    let found: Found;
    try {
      found = this.find(path, { follow: true });
    } catch (err) {
      if (err instanceof ScopedPathError) return undefined;
      throw err;
    }
    try {
      if (!found.stat?.isFile()) return undefined;
      const fd = openSync(at(found.dir, found.name), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        // Sized by the file, not the limit: a 4 MiB buffer per read was most of a start's garbage.
        const buffer = Buffer.allocUnsafe(Math.min(maxBytes, fstatSync(fd).size + 1));
        let length = 0;
        for (;;) {
          const n = readSync(fd, buffer, length, buffer.length - length, length);
          length += n;
          if (n === 0 || length === buffer.length) break;
        }
        return buffer.subarray(0, Math.min(length, maxBytes)).toString('utf8');
      } finally {
        closeSync(fd);
      }
    } finally {
      this.release(found.dir);
    }
  }

  /** Opens the entry `found` names as a directory (not following a symlink); undefined if it is not one. */
  openFound(found: Found): HeldDir | undefined {
    if (found.name === '') {
      return { fd: openSync(at(found.dir), DIR_FLAGS), path: found.path };
    }
    const fd = openDirAt(found.dir, found.name);
    return fd === undefined ? undefined : { fd, path: found.path };
  }
}

function mkdirIfMissing(dir: HeldDir, name: string): void {
  try {
    mkdirSync(at(dir, name), 0o755);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
  }
}

/** Opens a directory entry without following it; undefined if it is (now) not a directory. */
function openDirAt(dir: HeldDir, name: string): number | undefined {
  try {
    return openSync(at(dir, name), DIR_FLAGS);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR', 'ELOOP')) return undefined;
    throw err;
  }
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    codes.includes((err as NodeJS.ErrnoException).code ?? '')
  );
}
