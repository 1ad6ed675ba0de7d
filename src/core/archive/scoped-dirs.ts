// Resolving directories inside the target without ever leaving it: each component is
// lstat'ed, symlinks are followed by hand only while they stay inside the target (relative
// targets whose `..` never climb above it), and an absolute symlink or one that climbs out is
// refused. The target must not be changed by anyone else while a layer is applied.

import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { S_ISGID } from './entry-meta.js';
import { hasErrno } from '../errors.js';
import { entryError, splitPath } from './paths.js';

const MAX_SYMLINK_HOPS = 40;
const IMPLICIT_DIR_MODE = 0o755;

/** A directory inside the target: its real path (no symlinks; '' is the target itself). */
export interface ScopedDir {
  readonly real: string;
  /** Set-group-ID: what is created in it inherits its group (and, for directories, the bit). */
  readonly setgid: boolean;
}

export class ScopedDirs {
  readonly #root: string;
  readonly #onCreate: (abs: string) => void;
  #cache = new Map<string, ScopedDir>();

  /** `onCreate` is told the absolute path of each missing directory this creates. */
  constructor(root: string, onCreate: (abs: string) => void) {
    this.#root = root;
    this.#onCreate = onCreate;
  }

  /** The absolute path of a real relative path. */
  abs(real: string): string {
    return real === '' ? this.#root : `${this.#root}/${real}`;
  }

  /**
   * Resolves the directory `rel` (a normalised relative path, as the tar names it) for the
   * entry `entry`. Missing directories are created (0755) when `create`; otherwise a missing
   * one gives undefined. Throws an invalid-argument error naming the entry for a path that
   * leaves the target or goes through a non-directory.
   */
  resolve(rel: string, entry: string, create: boolean): ScopedDir | undefined {
    const cached = this.#cache.get(rel);
    if (cached !== undefined) return cached;
    if (rel === '') return this.#remember(rel, { real: '', setgid: this.#setgidOf('') });
    const { parent: parentRel, base } = splitPath(rel);
    const parent = this.resolve(parentRel, entry, create);
    if (parent === undefined) return undefined;
    const dir = this.#walk(parent, [base], entry, create);
    return dir === undefined ? undefined : this.#remember(rel, dir);
  }

  /** Records that `rel` is now the real directory `dir` (an entry just made it). */
  remember(rel: string, dir: ScopedDir): void {
    this.#remember(rel, dir);
  }

  /** Forgets every resolution: call it after a directory or symlink was removed. */
  forget(): void {
    this.#cache = new Map();
  }

  #remember(rel: string, dir: ScopedDir): ScopedDir {
    this.#cache.set(rel, dir);
    return dir;
  }

  #walk(start: ScopedDir, queue: string[], entry: string, create: boolean): ScopedDir | undefined {
    const real = start.real === '' ? [] : start.real.split('/');
    let setgid: boolean | undefined = start.setgid;
    let hops = 0;
    for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (real.length === 0)
          throw entryError(entry, 'resolves through a symlink outside the target');
        real.pop();
        setgid = undefined;
        continue;
      }
      const next = [...real, part].join('/');
      const stat = this.#lstat(next);
      if (stat === undefined) {
        if (!create) return undefined;
        setgid ??= this.#setgidOf(real.join('/'));
        mkdirSync(this.abs(next), IMPLICIT_DIR_MODE);
        this.#onCreate(this.abs(next));
        real.push(part);
      } else if (stat.isDirectory()) {
        real.push(part);
        setgid = (Number(stat.mode) & S_ISGID) !== 0;
      } else if (stat.isSymbolicLink()) {
        if (++hops > MAX_SYMLINK_HOPS)
          throw entryError(entry, 'resolves through too many symlinks');
        const target = readlinkSync(this.abs(next));
        if (target.startsWith('/')) {
          throw entryError(entry, `resolves through the absolute symlink ${next} -> ${target}`);
        }
        queue.unshift(...target.split('/'));
      } else {
        throw entryError(entry, `has a parent that is not a directory (${next})`);
      }
    }
    const path = real.join('/');
    return { real: path, setgid: setgid ?? this.#setgidOf(path) };
  }

  #lstat(real: string): ReturnType<typeof lstatSync> | undefined {
    try {
      return lstatSync(this.abs(real));
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  #setgidOf(real: string): boolean {
    return (lstatSync(this.abs(real)).mode & S_ISGID) !== 0;
  }
}
