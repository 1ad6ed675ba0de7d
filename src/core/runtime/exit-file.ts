// conmon's exit files: when a container's process ends, its monitor writes `<exit dir>/<id>`
// holding the exit status as decimal text — the code for a normal exit, 128+n when signal n
// killed it, -1 when conmon could not tell (its --timeout fired). conmon writes it with
// g_file_set_contents: a temporary `<id>.XXXXXX` renamed over `<id>`, so a reader never sees a
// half-written file.

import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, cancelled, hasErrno } from '../errors.js';

/** The status in an exit file's text; throws for text that is not one integer. */
export function parseExitFile(text: string): number {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) {
    throw new BerthError('internal', `malformed conmon exit file: ${JSON.stringify(text)}`);
  }
  return Number(trimmed);
}

/** The status in `<dir>/<id>`; undefined while there is no such file. */
export async function readExitFile(dir: string, id: string): Promise<number | undefined> {
  try {
    return parseExitFile(await readFile(join(dir, id), 'utf8'));
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

export interface ExitWaitOptions {
  readonly signal?: AbortSignal;
  /**
   * Called on each poll; returning false says the container can no longer exit on its own
   * (its monitor is gone), and the wait rejects unless the file appeared meanwhile.
   */
  readonly alive?: () => Promise<boolean>;
}

/**
 * Waits for exit files in one directory: one fs.watch (inotify) for all waiters, opened on the
 * first wait and closed with the last, plus a poll every `pollMs` for what inotify can miss
 * (a watch that failed to open, events dropped under load, a directory replaced under it).
 */
export class ExitWatcher {
  readonly #dir: string;
  readonly #pollMs: number;
  readonly #waiters = new Map<string, Set<() => void>>();
  #watcher: FSWatcher | undefined;

  constructor(dir: string, pollMs = 1000) {
    this.#dir = dir;
    this.#pollMs = pollMs;
  }

  /** Resolves with the status once `<dir>/<id>` exists; rejects when options.signal aborts. */
  async wait(id: string, options: ExitWaitOptions = {}): Promise<number> {
    const { signal } = options;
    if (signal?.aborted) throw cancelled();
    const existing = await readExitFile(this.#dir, id);
    if (existing !== undefined) return existing;

    return new Promise<number>((resolve, reject) => {
      let settled = false;
      let checking = false;
      const finish = (err: unknown, status?: number): void => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#removeWaiter(id, wake);
        if (err === undefined && status !== undefined) resolve(status);
        else reject(err);
      };
      const check = async (pollAlive: boolean): Promise<void> => {
        if (settled || checking) return;
        checking = true;
        try {
          const status = await readExitFile(this.#dir, id);
          if (status !== undefined) {
            finish(undefined, status);
            return;
          }
          if (pollAlive && options.alive && !(await options.alive())) {
            // The monitor may have written the file just before it went away.
            const last = await readExitFile(this.#dir, id);
            if (last !== undefined) finish(undefined, last);
            else {
              finish(
                new BerthError('internal', `container ${id}: conmon exited without an exit file`),
              );
            }
          }
        } catch (err) {
          finish(err);
        } finally {
          checking = false;
        }
      };
      const wake = (): void => void check(false);
      const onAbort = (): void => finish(cancelled());
      const timer = setInterval(() => void check(true), this.#pollMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#addWaiter(id, wake);
      if (signal?.aborted) {
        // It aborted while the first read was in flight: no event will come.
        onAbort();
        return;
      }
      // The file may have appeared between the first read and the watch.
      void check(false);
    });
  }

  /** Waiters in flight (for tests and shutdown accounting). */
  get size(): number {
    let n = 0;
    for (const set of this.#waiters.values()) n += set.size;
    return n;
  }

  #addWaiter(id: string, wake: () => void): void {
    let set = this.#waiters.get(id);
    if (!set) {
      set = new Set();
      this.#waiters.set(id, set);
    }
    set.add(wake);
    this.#ensureWatch();
  }

  #removeWaiter(id: string, wake: () => void): void {
    const set = this.#waiters.get(id);
    set?.delete(wake);
    if (set && set.size === 0) this.#waiters.delete(id);
    if (this.#waiters.size === 0 && this.#watcher) {
      this.#watcher.close();
      this.#watcher = undefined;
    }
  }

  #ensureWatch(): void {
    if (this.#watcher) return;
    try {
      const watcher = watch(this.#dir, { persistent: false }, (_event, filename) => {
        const name = filename?.toString();
        if (name === undefined || name === null) {
          // No name (an overflow): wake everyone.
          for (const set of this.#waiters.values()) for (const wake of set) wake();
          return;
        }
        const set = this.#waiters.get(name);
        if (set) for (const wake of set) wake();
      });
      watcher.on('error', () => {
        // The poll carries on; a later wait opens a new watch.
        if (this.#watcher === watcher) this.#watcher = undefined;
        watcher.close();
      });
      this.#watcher = watcher;
    } catch (err) {
      // ENOENT (no exit dir yet) and ENOSPC (inotify limits) leave the waiters to the poll.
      if (!hasErrno(err, 'ENOENT', 'ENOSPC', 'EMFILE')) throw err;
    }
  }
}
