// The two layers under every container: its init layer (/etc/hosts, /etc/resolv.conf, /dev/console
// and the rest, on the image's top layer; see init-layer.ts) and its writable layer on that.
//
// Making them is most of a create (~8 ms on this kind of machine: two layer dirs and a copy of
// the init template), so for each image a container was made from, one pair is made ahead, in
// the background, for the next container of that image. A spare is an ordinary pair of layers
// that no container owns yet: start-up garbage collection removes the ones a crash left, and
// close() removes the others. Layer ids are never reused, so a spare whose parent still exists
// is a spare of the same parent.

import { randomBytes } from 'node:crypto';
import type { StorageDriver } from '../layers/storage-driver.js';
import { initLayerId } from './init-layer.js';

export interface LayerPairsDeps {
  readonly driver: StorageDriver;
  /** Creates and fills the init layer `id` on `parent` (InitLayers.create). */
  readonly createInitLayer: (id: string, parent: string | undefined) => Promise<void>;
  /** At most this many images keep a spare (default 8); the least recently used goes first. */
  readonly maxSpares?: number;
}

export class LayerPairs {
  readonly #deps: LayerPairsDeps;
  /** Parent layer → the driver id of a spare writable layer on it (its init layer below). */
  readonly #spares = new Map<string, string>();
  readonly #making = new Map<string, Promise<void>>();
  #closed = false;

  constructor(deps: LayerPairsDeps) {
    this.#deps = deps;
  }

  /**
   * The driver id of a new writable layer on a new init layer on `parent`; its init layer is
   * initLayerId(id). Both belong to the caller, who removes them when it no longer needs them.
   */
  async make(parent: string | undefined): Promise<string> {
    if (parent === undefined) return this.#makePair(undefined);
    const spare = this.#spares.get(parent);
    this.#spares.delete(parent);
    let id: string | undefined;
    if (spare !== undefined) {
      if (await this.#deps.driver.exists(parent)) id = spare;
      else await this.#discard(spare);
    }
    id ??= await this.#makePair(parent);
    this.#prepare(parent);
    return id;
  }

  /** Resolves when no spare is being made. */
  async idle(): Promise<void> {
    while (this.#making.size > 0) await Promise.all(this.#making.values());
  }

  /** Stops making spares and removes them (daemon shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
    const spares = [...this.#spares.values()];
    this.#spares.clear();
    for (const id of spares) await this.#discard(id);
  }

  /** Starts making a spare on `parent` unless one is there or on its way. */
  #prepare(parent: string): void {
    if (this.#closed || this.#spares.has(parent) || this.#making.has(parent)) return;
    const making = this.#makePair(parent)
      .then(async (id) => {
        if (this.#closed) {
          await this.#discard(id);
          return;
        }
        this.#spares.set(parent, id);
        await this.#evict();
      })
      // A spare is only a head start: the next create makes its layers itself.
      .catch(() => undefined)
      .finally(() => this.#making.delete(parent));
    this.#making.set(parent, making);
  }

  async #makePair(parent: string | undefined): Promise<string> {
    const id = randomBytes(16).toString('hex');
    const init = initLayerId(id);
    await this.#deps.createInitLayer(init, parent);
    try {
      await this.#deps.driver.create(id, init);
    } catch (err) {
      await this.#deps.driver.remove(init);
      throw err;
    }
    return id;
  }

  async #evict(): Promise<void> {
    const max = this.#deps.maxSpares ?? 8;
    while (this.#spares.size > max) {
      const [parent, id] = this.#spares.entries().next().value as [string, string];
      this.#spares.delete(parent);
      await this.#discard(id);
    }
  }

  async #discard(id: string): Promise<void> {
    await this.#deps.driver.remove(id).catch(() => undefined);
    await this.#deps.driver.remove(initLayerId(id)).catch(() => undefined);
  }
}
