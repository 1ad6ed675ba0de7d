// How much a layer holds of its own, counted as Docker counts a container's SizeRw: the size
// lstat gives every entry that is not a directory, each inode once (hard links share one).

import { lstat, readdir } from 'node:fs/promises';
import { cancelled, hasErrno } from '../errors.js';
import type { FileChange } from './changes.js';

/** Counts each inode once; an entry gone meanwhile (a running container's) counts nothing. */
class SizeTally {
  readonly #seen = new Set<bigint>();
  total = 0;

  constructor(private readonly signal: AbortSignal | undefined) {}

  /** Adds `path` and reports whether it is a directory (false when it is gone). */
  async add(path: string): Promise<boolean> {
    if (this.signal?.aborted) throw cancelled();
    let stat;
    try {
      stat = await lstat(path, { bigint: true });
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return false;
      throw err;
    }
    if (stat.isDirectory()) return true;
    if (stat.size > 0n && !this.#seen.has(stat.ino)) {
      this.#seen.add(stat.ino);
      this.total += Number(stat.size);
    }
    return false;
  }
}

/**
 * Everything under `dir` (overlay2's upper dir: exactly what the layer wrote; a volume's
 * data), counting at most `limit` entries. A missing `dir` is an error.
 */
export async function directorySize(
  dir: string,
  options: { readonly signal?: AbortSignal; readonly limit?: number } = {},
): Promise<number> {
  const tally = new SizeTally(options.signal);
  const limit = options.limit ?? 1_000_000;
  let entries = 0;
  const pending = [dir];
  while (pending.length > 0 && entries < limit) {
    const path = pending.pop() as string;
    let names: string[];
    try {
      names = await readdir(path);
    } catch (err) {
      if (path !== dir && hasErrno(err, 'ENOENT', 'ENOTDIR', 'EACCES')) continue;
      throw err;
    }
    for (const name of names) {
      if (++entries > limit) break;
      const child = `${path}/${name}`;
      if (await tally.add(child)) pending.push(child);
    }
  }
  return tally.total;
}

/** The added and modified entries of `changes`, as they are in the layer's full tree (vfs). */
export async function changedSize(
  layer: string,
  changes: readonly FileChange[],
  signal?: AbortSignal,
): Promise<number> {
  const tally = new SizeTally(signal);
  for (const change of changes) if (change.kind !== 'deleted') await tally.add(layer + change.path);
  return tally.total;
}
