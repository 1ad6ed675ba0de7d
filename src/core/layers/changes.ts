// What a layer changed on top of its parents (`docker diff`), computed as Docker's graph
// drivers do: overlay2 walks the layer's upper dir and looks each path up in the lower dirs;
// vfs ("naive diff") compares the layer's full copy with its parent's, file by file.

import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { readXattrs } from '../archive/pack.js';
import type { Xattr } from '../archive/pending.js';
import { cancelled, hasErrno } from '../errors.js';

/** Docker's change kinds: `C`, `A` and `D` in `docker diff`. */
export type ChangeKind = 'modified' | 'added' | 'deleted';

export interface FileChange {
  /** Absolute inside the container: `/etc/passwd`. */
  readonly path: string;
  readonly kind: ChangeKind;
}

const OPAQUE_XATTR = 'trusted.overlay.opaque';
const CAPABILITY_XATTR = 'security.capability';

/** Where a layer's overlayfs directories are: its upper dir and its lower dirs, nearest first. */
export interface OverlayLayerDirs {
  readonly upper: string;
  readonly lowers: readonly string[];
  readonly signal?: AbortSignal;
}

/**
 * The changes in an overlayfs upper dir, in walk order (each directory's names sorted by byte).
 * A 0/0 character device is a deletion; an opaque directory that hides a lower one is deleted
 * (and what it holds now is listed below it). Anything else is added, or modified when a lower
 * dir has the path, except a directory whose size, mode and mtime equal the lower one's (it was
 * only copied up for a child). The parent of an addition or deletion is always listed, as
 * modified, before it.
 */
export async function overlayChanges(dirs: OverlayLayerDirs): Promise<FileChange[]> {
  const xattrs = await xattrsUnder(dirs.upper, dirs.signal);
  const changes: FileChange[] = [];
  const changedDirs = new Set<string>();

  const record = async (path: string, stat: BigIntStats): Promise<void> => {
    let kind: ChangeKind;
    if (isWhiteout(stat)) {
      kind = 'deleted';
    } else {
      const lower = await findInLowers(dirs.lowers, path);
      if (stat.isDirectory() && lower && isOpaque(xattrs.get(dirs.upper + path))) {
        kind = 'deleted';
      } else if (lower === undefined) {
        kind = 'added';
      } else {
        if (stat.isDirectory() && lower.isDirectory() && sameDirectory(stat, lower)) return;
        kind = 'modified';
      }
    }
    if (stat.isDirectory()) changedDirs.add(path);
    if (kind !== 'modified') {
      const parent = parentOf(path);
      if (parent !== '/' && !changedDirs.has(parent)) {
        changes.push({ path: parent, kind: 'modified' });
        changedDirs.add(parent);
      }
    }
    changes.push({ path, kind });
  };

  const walk = async (dir: string): Promise<void> => {
    for (const name of sortedNames(await readdir(dirs.upper + dir))) {
      throwIfCancelled(dirs.signal);
      const path = join(dir, name);
      const stat = await lstat(dirs.upper + path, { bigint: true });
      await record(path, stat);
      if (stat.isDirectory()) await walk(path);
    }
  };
  await walk('/');
  return changes;
}

/**
 * The changes of a layer directory against its parent's (undefined: a base layer, all added),
 * both full trees, in walk order (names sorted by byte). A directory holding changes is listed as
 * modified before them, unless it is itself added or modified. Directories compare by type,
 * mode, owner; other entries also by size and mtime; all by their file capabilities. A deleted
 * directory is one entry.
 */
export async function directoryChanges(options: {
  readonly layer: string;
  readonly parent: string | undefined;
  readonly signal?: AbortSignal;
}): Promise<FileChange[]> {
  const { layer, parent, signal } = options;
  const newXattrs = await xattrsUnder(layer, signal);
  const oldXattrs = parent === undefined ? new Map() : await xattrsUnder(parent, signal);
  const capability = (xattrs: ReadonlyMap<string, readonly Xattr[]>, path: string): string =>
    xattrs
      .get(path)
      ?.find(([name]) => name === CAPABILITY_XATTR)?.[1]
      .toString('hex') ?? '';
  const changes: FileChange[] = [];

  /** `dir` exists as a directory in the layer; `oldIsDir`: also in the parent. */
  const walk = async (dir: string, oldIsDir: boolean, listed: boolean): Promise<void> => {
    const atEntry = changes.length;
    const newNames = await readdir(layer + dir);
    const oldNames = oldIsDir && parent !== undefined ? await readdir(parent + dir) : [];
    const inNew = new Set(newNames);
    const inOld = new Set(oldNames);
    for (const name of sortedNames([...new Set([...newNames, ...oldNames])])) {
      throwIfCancelled(signal);
      const path = join(dir, name);
      if (!inNew.has(name)) {
        changes.push({ path, kind: 'deleted' });
        continue;
      }
      const now = await lstat(layer + path, { bigint: true });
      const before =
        inOld.has(name) && parent !== undefined
          ? await lstat(parent + path, { bigint: true })
          : undefined;
      let childListed = false;
      if (before === undefined) {
        changes.push({ path, kind: 'added' });
        childListed = true;
      } else if (
        statDifferent(before, now) ||
        capability(oldXattrs, parent + path) !== capability(newXattrs, layer + path)
      ) {
        changes.push({ path, kind: 'modified' });
        childListed = true;
      }
      if (now.isDirectory()) await walk(path, before?.isDirectory() ?? false, childListed);
    }
    if (changes.length > atEntry && !listed && dir !== '/') {
      changes.splice(atEntry, 0, { path: dir, kind: 'modified' });
    }
  };
  await walk('/', parent !== undefined, false);
  return changes;
}

/** The xattrs of every entry under `root`; an abort is a cancelled error, as everywhere here. */
async function xattrsUnder(
  root: string,
  signal: AbortSignal | undefined,
): Promise<Map<string, Xattr[]>> {
  throwIfCancelled(signal);
  try {
    return await readXattrs(root, signal);
  } catch (err) {
    throwIfCancelled(signal);
    throw err;
  }
}

/** A lower dir's entry at `path`, nearest first; undefined if none has it or one deleted it. */
async function findInLowers(
  lowers: readonly string[],
  path: string,
): Promise<BigIntStats | undefined> {
  for (const lower of lowers) {
    try {
      const stat = await lstat(lower + path, { bigint: true });
      return isWhiteout(stat) ? undefined : stat;
    } catch (err) {
      if (!hasErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
    }
    // Not in this layer: a deleted ancestor here hides it in the layers below too.
    for (let dir = parentOf(path); dir !== '/'; dir = parentOf(dir)) {
      try {
        if (isWhiteout(await lstat(lower + dir, { bigint: true }))) return undefined;
      } catch (err) {
        if (!hasErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
      }
    }
  }
  return undefined;
}

function isWhiteout(stat: BigIntStats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0n;
}

function isOpaque(xattrs: readonly Xattr[] | undefined): boolean {
  return (xattrs ?? []).some(([name, value]) => name === OPAQUE_XATTR && value.toString() === 'y');
}

/** Equal mtimes, or equal seconds when one side has none (tar keeps whole seconds). */
function sameTime(a: bigint, b: bigint): boolean {
  const NS = 1_000_000_000n;
  return a === b || (a / NS === b / NS && (a % NS === 0n || b % NS === 0n));
}

function sameDirectory(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mode === b.mode && sameTime(a.mtimeNs, b.mtimeNs);
}

/** Size and mtime say nothing about a directory (Docker leaves them out for directories). */
function statDifferent(before: BigIntStats, now: BigIntStats): boolean {
  return (
    before.mode !== now.mode ||
    before.uid !== now.uid ||
    before.gid !== now.gid ||
    before.rdev !== now.rdev ||
    (!before.isDirectory() && (!sameTime(before.mtimeNs, now.mtimeNs) || before.size !== now.size))
  );
}

/** Byte order, as Go sorts names. */
function sortedNames(names: readonly string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}
