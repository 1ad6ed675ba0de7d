// A container's log as files: conmon writes `container.log`; the rotator moves it to
// `container.log.1` (older ones to .2, .3, ...) when it reaches max-size and has conmon reopen
// it. Readers hold file handles, so a rotation never cuts a read short.

import { watch, type FSWatcher } from 'node:fs';
import { open, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { hasErrno } from '../../core/errors.js';
import type { LogSettings } from '../../core/containers/log-config.js';
import type { Logger } from '../../lib/logger.js';

/** The n-th rotated file (1 is the newest); 0 is the file being written. */
export function rotatedPath(path: string, n: number): string {
  return n === 0 ? path : `${path}.${n}`;
}

/** The most rotated files a reader looks for (max-file is checked against nothing larger). */
const MAX_ROTATED = 1000;

async function openIfThere(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * The log's files, oldest first, opened now: what a reader reads even if they are rotated
 * meanwhile. The last one is the file being written (when there is one).
 */
export async function openLogFiles(path: string): Promise<{ handle: FileHandle; ino: number }[]> {
  const opened: { handle: FileHandle; ino: number }[] = [];
  const seen = new Set<number>();
  // The current file first: a rotation while these open makes it reappear as .1, seen once.
  for (let n = 0; n <= MAX_ROTATED; n++) {
    const handle = await openIfThere(rotatedPath(path, n));
    if (!handle) {
      if (n > 0) break;
      continue;
    }
    const { ino } = await handle.stat();
    if (seen.has(ino)) {
      await handle.close();
      continue;
    }
    seen.add(ino);
    opened.unshift({ handle, ino });
  }
  return opened;
}

/** The inode at `path` now, or undefined while there is no file (mid-rotation). */
export async function inodeAt(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw err;
  }
}

/** Moves `path` to `.1` (older ones up, the oldest past max-file deleted). */
async function shiftFiles(path: string, maxFile: number): Promise<void> {
  await rm(rotatedPath(path, Math.max(1, maxFile - 1)), { force: true });
  for (let n = maxFile - 2; n >= 1; n--) {
    await rename(rotatedPath(path, n), rotatedPath(path, n + 1)).catch((err: unknown) => {
      if (!hasErrno(err, 'ENOENT')) throw err;
    });
  }
  await rename(path, rotatedPath(path, 1));
}

interface Watched {
  readonly path: string;
  readonly settings: LogSettings;
  readonly watcher: FSWatcher;
  /** The check running now, if any (writes during it queue one more). */
  running: Promise<void> | undefined;
  again: boolean;
}

/**
 * Rotates the logs of running containers. It watches each log's directory, so it sees the
 * writes as they happen and needs no polling; conmon reopens the file on request.
 */
export class LogRotator {
  readonly #watched = new Map<string, Watched>();
  /** Readers waiting for the next write to a log. */
  readonly #waiting = new Map<string, Set<() => void>>();

  constructor(
    private readonly deps: {
      readonly reopen: (id: string) => Promise<void>;
      readonly logger: Logger;
    },
  ) {}

  watch(id: string, path: string, settings: LogSettings): void {
    if (this.#watched.has(id) || settings.driver === 'none') return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file !== null && !file.startsWith(basename(path))) return;
        for (const wake of [...(this.#waiting.get(id) ?? [])]) wake();
        if (file === null || file === basename(path)) this.#check(id);
      });
    } catch (err) {
      this.deps.logger.warn('cannot watch a container log', { id, error: (err as Error).message });
      return;
    }
    watcher.on('error', () => this.unwatch(id));
    this.#watched.set(id, { path, settings, watcher, running: undefined, again: false });
    this.#check(id);
  }

  /**
   * Resolves at the next change to the log's files, or after `ms` (also for a log that is not
   * watched): a following reader keeps up with the writes and the rotations.
   */
  nextWrite(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#waiting.get(id) ?? new Set<() => void>();
      this.#waiting.set(id, set);
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.#waiting.get(id) === set) this.#waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Stops rotating the log (its container exited). Resolves once a rotation under way is
   * done, with a log file in place: a rotation the monitor did not see through leaves none.
   */
  async unwatch(id: string): Promise<void> {
    const w = this.#watched.get(id);
    if (!w) return;
    w.watcher.close();
    this.#watched.delete(id);
    await w.running;
    await writeFile(w.path, '', { flag: 'wx', mode: 0o640 }).catch((err: unknown) => {
      if (!hasErrno(err, 'EEXIST', 'ENOENT')) throw err;
    });
  }

  close(): void {
    for (const w of this.#watched.values()) w.watcher.close();
    this.#watched.clear();
  }

  #check(id: string): void {
    const w = this.#watched.get(id);
    if (!w) return;
    if (w.running) {
      w.again = true;
      return;
    }
    w.running = this.#rotateIfFull(id, w)
      .catch((err: unknown) =>
        this.deps.logger.warn('log rotation failed', { id, error: (err as Error).message }),
      )
      .finally(() => {
        w.running = undefined;
        if (w.again && this.#watched.get(id) === w) {
          w.again = false;
          this.#check(id);
        }
      });
  }

  async #rotateIfFull(id: string, w: Watched): Promise<void> {
    let size: number;
    try {
      size = (await stat(w.path)).size;
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return; // mid-rotation, or gone with its container
      throw err;
    }
    if (size < w.settings.maxSize) return;
    await shiftFiles(w.path, w.settings.maxFile);
    await this.deps.reopen(id);
    // Readers hold what they read; with max-file 1 nothing rotated is kept.
    if (w.settings.maxFile === 1) await rm(rotatedPath(w.path, 1), { force: true });
  }
}
