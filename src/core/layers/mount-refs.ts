import { conflict } from '../errors.js';
import { KeyedLock } from './keyed-lock.js';

interface Entry {
  count: number;
  readonly path: string;
}

/**
 * The in-memory reference counts of a driver's mounts, and the per-layer lock every operation
 * on a layer takes: concurrent mount() calls of one layer make one real mount, and a layer
 * cannot be removed while it is mounted or while a mount of it is under way.
 */
export class MountRefs {
  readonly #lock = new KeyedLock();
  readonly #entries = new Map<string, Entry>();

  /** Runs fn while holding id's lock. */
  exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#lock.run(id, fn);
  }

  /** The first call runs realMount (under id's lock); later ones only count. */
  mount(id: string, realMount: () => Promise<string>): Promise<string> {
    return this.#lock.run(id, async () => {
      const entry = this.#entries.get(id);
      if (entry) {
        entry.count++;
        return entry.path;
      }
      const path = await realMount();
      this.#entries.set(id, { count: 1, path });
      return path;
    });
  }

  /**
   * The last call runs realUnmount (under id's lock). A layer that is not mounted is left
   * alone. If realUnmount fails the layer stays counted as mounted once.
   */
  unmount(id: string, realUnmount: (path: string) => Promise<void>): Promise<void> {
    return this.#lock.run(id, async () => {
      const entry = this.#entries.get(id);
      if (!entry) return;
      if (entry.count > 1) {
        entry.count--;
        return;
      }
      await realUnmount(entry.path);
      this.#entries.delete(id);
    });
  }

  /** Runs fn under id's lock, refusing (conflict) while the layer is mounted. */
  whenUnmounted<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#lock.run(id, async () => {
      if (this.#entries.has(id)) throw conflict(`layer ${id} is mounted`);
      return fn();
    });
  }

  /** Really unmounts every mounted layer whatever its count; tries all, then throws what failed. */
  async unmountAll(realUnmount: (id: string, path: string) => Promise<void>): Promise<void> {
    const failures: unknown[] = [];
    for (const id of [...this.#entries.keys()]) {
      try {
        await this.#lock.run(id, async () => {
          const entry = this.#entries.get(id);
          if (!entry) return;
          await realUnmount(id, entry.path);
          this.#entries.delete(id);
        });
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'unmounting layers failed');
  }

  count(id: string): number {
    return this.#entries.get(id)?.count ?? 0;
  }

  get mounted(): string[] {
    return [...this.#entries.keys()];
  }
}
