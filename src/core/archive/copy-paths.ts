// How Docker's archive API (docker cp) reads the paths it is given, over a container's root
// filesystem held as a ScopedRoot: a path is absolute in the container whether or not it starts
// with "/"; a trailing "/" or "/." is kept; everything above the last component is resolved
// (symlinks followed inside the root), and the last component is followed only when a
// directory is asserted (stat, archive) or always (extraction point).

import { readlinkSync } from 'node:fs';
import {
  basePath,
  dirPath,
  joinPath,
  preserveTrailingDotOrSeparator,
} from '../../lib/scoped-fs/go-path.js';
import {
  at,
  ScopedPathError,
  type Found,
  type ScopedRoot,
} from '../../lib/scoped-fs/scoped-root.js';
import { BerthError } from '../errors.js';
import { goFileMode } from './file-mode.js';

/** What Docker's `X-Docker-Container-Path-Stat` header describes. */
export interface PathStat {
  /** The last element of the path as asked ("/" for the root, "." for `dir/.`). */
  readonly name: string;
  readonly size: number;
  /** Go's os.FileMode bits. */
  readonly mode: number;
  readonly mtimeNs: bigint;
  /** For a symlink: its target fully resolved inside the root, as an absolute path. */
  readonly linkTarget: string;
}

/** A path of the archive API, made absolute, its trailing "/" or "/." kept. */
export function containerPath(path: string): string {
  return preserveTrailingDotOrSeparator(joinPath('/', path), path);
}

/**
 * Finds what an archive GET or HEAD of `path` names (its last component not followed unless
 * a directory is asserted): the held entry, its stat, and the name the archive's top entry
 * takes. Throws a ScopedPathError: ENOENT when it does not exist, ENOTDIR through a file.
 */
export function findArchivePath(
  root: ScopedRoot,
  path: string,
  /** The archive's name for it, when `path` is inside a mount's root (see mount-paths.ts). */
  nameAsAsked?: string,
): { readonly found: Found; readonly stat: PathStat; readonly archiveName: string } {
  const absolute = containerPath(path);
  const found = root.find(absolute);
  try {
    if (found.stat === undefined) throw new ScopedPathError('ENOENT', 'lstat', absolute);
    const stat = found.stat;
    const name = nameAsAsked ?? basePath(absolute);
    return {
      found,
      archiveName: name,
      stat: {
        name,
        size: Number(stat.size),
        mode: goFileMode(Number(stat.mode)),
        mtimeNs: stat.mtimeNs,
        linkTarget: stat.isSymbolicLink() ? resolvedTarget(root, found) : '',
      },
    };
  } catch (err) {
    root.release(found.dir);
    throw err;
  }
}

/** Where an archive PUT to `path` extracts: the directory it names, every symlink followed. */
export function findExtractionPoint(root: ScopedRoot, path: string): string {
  const absolute = containerPath(path);
  const found = root.find(absolute, { follow: true });
  root.release(found.dir);
  if (found.stat === undefined) throw new ScopedPathError('ENOENT', 'lstat', absolute);
  if (!found.stat.isDirectory())
    throw new BerthError('internal', 'extraction point is not a directory');
  return found.path;
}

/** A symlink's target resolved inside the root (lexically past a missing directory). */
function resolvedTarget(root: ScopedRoot, link: Found): string {
  try {
    const target = root.find(link.path, { follow: true });
    root.release(target.dir);
    return target.path;
  } catch (err) {
    if (!(err instanceof ScopedPathError)) throw err;
    const text = readlinkSync(at(link.dir, link.name));
    return joinPath('/', text.startsWith('/') ? text : joinPath(dirPath(link.path), text));
  }
}
