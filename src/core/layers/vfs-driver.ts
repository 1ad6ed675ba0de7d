import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { packChanges } from '../archive/pack.js';
import type { WhiteoutFormat } from '../archive/types.js';
import { directoryChanges, type FileChange } from './changes.js';
import { changedSize } from './layer-size.js';
import { conflict, notFound } from '../errors.js';
import { assertLayerId, layerDirExists, listLayerDirs } from './layer-id.js';
import { MountRefs } from './mount-refs.js';
import { runCommand } from './run-command.js';
import type { StorageDriver } from './storage-driver.js';

export interface VfsDriverOptions {
  /** The driver's directory, `<data-root>/vfs`. */
  readonly root: string;
  /** Time limit of copying a parent layer (default 30 minutes). */
  readonly copyTimeoutMs?: number;
}

/** Prefix of half-made layer copies, which no layer id can take (ids are [a-z0-9]). */
const TEMP_PREFIX = '.tmp-';

/**
 * Layers as plain directories, `<root>/dir/<id>`, each a full copy of its parent: works on
 * any file system, costs a copy per layer. Nothing is ever mounted; mount() returns the dir.
 */
export class VfsDriver implements StorageDriver {
  readonly name = 'vfs';
  readonly whiteoutFormat: WhiteoutFormat = 'delete';
  readonly #dir: string;
  readonly #copyTimeoutMs: number;
  readonly #refs = new MountRefs();

  constructor(options: VfsDriverOptions) {
    this.#dir = join(resolve(options.root), 'dir');
    this.#copyTimeoutMs = options.copyTimeoutMs ?? 30 * 60_000;
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.#dir)) {
      if (name.startsWith(TEMP_PREFIX)) await rm(join(this.#dir, name), { recursive: true });
    }
  }

  async create(id: string, parent: string | undefined): Promise<void> {
    assertLayerId(id);
    if (parent !== undefined) assertLayerId(parent);
    return this.#refs.exclusive(id, async () => {
      // Checked under the lock: rename(2) would silently replace an empty layer dir.
      if (await this.exists(id)) throw conflict(`layer ${id} already exists`);
      if (parent !== undefined && !(await this.exists(parent))) {
        throw notFound(`layer ${parent} does not exist`);
      }
      const temp = join(this.#dir, `${TEMP_PREFIX}${id}-${randomBytes(6).toString('hex')}`);
      await mkdir(temp, { mode: 0o755 });
      try {
        if (parent !== undefined) {
          // `src/.` onto an existing dir: the contents, and the dir's own owner, mode and times.
          await runCommand(
            'cp',
            ['-a', '--reflink=auto', `${this.diffPath(parent)}/.`, `${temp}/`],
            {
              timeoutMs: this.#copyTimeoutMs,
            },
          );
        }
        await rename(temp, this.diffPath(id));
      } catch (err) {
        await rm(temp, { recursive: true, force: true });
        throw err;
      }
    });
  }

  diffPath(id: string): string {
    assertLayerId(id);
    return join(this.#dir, id);
  }

  list(): Promise<string[]> {
    return listLayerDirs(this.#dir);
  }

  exists(id: string): Promise<boolean> {
    return layerDirExists(this.#dir, id);
  }

  async mount(id: string): Promise<string> {
    assertLayerId(id);
    return this.#refs.mount(id, async () => {
      if (!(await this.exists(id))) throw notFound(`layer ${id} does not exist`);
      return this.diffPath(id);
    });
  }

  async unmount(id: string): Promise<void> {
    assertLayerId(id);
    return this.#refs.unmount(id, () => Promise.resolve());
  }

  /** By comparing the layer's full copy with its parent's, file by file. */
  async changes(
    id: string,
    parent: string | undefined,
    signal?: AbortSignal,
  ): Promise<FileChange[]> {
    assertLayerId(id);
    if (parent !== undefined) assertLayerId(parent);
    for (const layer of [id, parent]) {
      if (layer !== undefined && !(await this.exists(layer)))
        throw notFound(`layer ${layer} does not exist`);
    }
    return directoryChanges({
      layer: this.diffPath(id),
      parent: parent === undefined ? undefined : this.diffPath(parent),
      signal,
    });
  }

  /** What the changed entries weigh in the layer's copy (Docker's naive diff size). */
  async diffSize(id: string, parent: string | undefined, signal?: AbortSignal): Promise<number> {
    return changedSize(this.diffPath(id), await this.changes(id, parent, signal), signal);
  }

  /** The changed entries, read from the layer's copy; deletions as `.wh.` entries. */
  async diff(id: string, parent: string | undefined, signal?: AbortSignal): Promise<Readable> {
    const changes = await this.changes(id, parent, signal);
    return packChanges({
      root: this.diffPath(id),
      entries: changes.map((c) => ({ path: c.path, deleted: c.kind === 'deleted' })),
      signal,
    });
  }

  async remove(id: string): Promise<void> {
    assertLayerId(id);
    return this.#refs.whenUnmounted(id, async () => {
      await rm(this.diffPath(id), { recursive: true, force: true });
    });
  }

  metadata(): null {
    return null;
  }

  status(): [string, string][] {
    return [];
  }

  cleanup(): Promise<void> {
    return this.#refs.unmountAll(() => Promise.resolve());
  }
}
