import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { BlobStore } from '../../core/content/blob-store.js';
import { invalidArgument } from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import {
  chainIds,
  parseImageConfig,
  sha256Digest,
  type ImageConfig,
} from '../../core/images/image-config.js';
import { familiarString, parseReference } from '../../core/images/reference.js';
import type { LayerStore } from '../../core/layers/layer-store.js';
import type { Progress } from '../../core/progress.js';
import type { ImageRecords, LayerRecord } from '../../core/state/image-records.js';
import type { Logger } from '../../lib/logger.js';
import type { ImageEntry } from '../../core/images/image-views.js';
import type { ImageIndex } from './image-index.js';

/** A layer blob waiting in the ingest area, and what the image says its diff ID is. */
export interface PendingLayer {
  readonly file: string;
  readonly diffId: string;
  /** The blob digest the archive or registry promised, checked when known. */
  readonly blobDigest?: string;
  /** Short id shown in progress lines. */
  readonly label: string;
  /** Already applied by the caller (import, commit): used instead of registering the file. */
  readonly registered?: LayerRecord;
  /** Settles when `file` is complete and verified (a pull registers while it downloads). */
  readonly ready?: Promise<void>;
  /** Bytes of the blob applied so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface NewImage {
  readonly configBytes: Buffer;
  readonly layers: readonly PendingLayer[];
  /** Normalised references to point at the image. */
  readonly refs: readonly string[];
  readonly parent?: string;
}

/**
 * Everything the image operations share: the records, blobs and layers, the in-memory index,
 * and the one way to add an image (layers first, then one transaction).
 */
export class ImageStore {
  constructor(
    readonly records: ImageRecords,
    readonly blobs: BlobStore,
    readonly layers: LayerStore,
    readonly index: ImageIndex,
    readonly events: EventPublisher,
    readonly logger: Logger,
  ) {}

  newWorkDir(label: string): string {
    return this.blobs.ingestPath(`${label}-${randomBytes(4).toString('hex')}`);
  }

  async removeWorkDir(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  /**
   * Adds an image: registers its new layers (reusing known ones), stores the config, and commits
   * layers, image and references in one transaction. Yields progress per layer.
   */
  async *addImage(
    image: NewImage,
    signal?: AbortSignal,
  ): AsyncGenerator<Progress, { entry: ImageEntry; moved: Map<string, string> }> {
    const config: ImageConfig = parseImageConfig(image.configBytes);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== image.layers.length) {
      throw invalidArgument(
        `the image config lists ${diffIds.length} layers but the archive has ${image.layers.length}`,
      );
    }
    image.layers.forEach((l, i) => {
      if (l.diffId !== diffIds[i])
        throw invalidArgument(`layer ${i} does not match the config's diff_ids`);
    });
    const chains = chainIds(diffIds);
    const added: LayerRecord[] = [];
    try {
      return yield* this.#addLayersAndImage(image, chains, added, signal);
    } catch (err) {
      // Layers registered for an image that never got committed: their files go now, not at
      // the next start-up (a pull that fails half-way leaves nothing behind).
      if (!this.index.get(sha256Digest(image.configBytes))) await this.#discardAdded(added);
      throw err;
    }
  }

  async #discardAdded(added: readonly LayerRecord[]): Promise<void> {
    const blobsInUse = new Set(this.index.layers().map((l) => l.blobDigest));
    for (const layer of [...added].reverse()) {
      if (this.index.layer(layer.chainId)) continue;
      await this.layers.delete(layer, blobsInUse.has(layer.blobDigest));
    }
  }

  async *#addLayersAndImage(
    image: NewImage,
    chains: readonly string[],
    added: LayerRecord[],
    signal?: AbortSignal,
  ): AsyncGenerator<Progress, { entry: ImageEntry; moved: Map<string, string> }> {
    let parent: LayerRecord | undefined;
    for (const [i, pending] of image.layers.entries()) {
      const chainId = chains[i] as string;
      const { layer, existed } = await this.layers.ensure(
        chainId,
        (c) => this.index.layer(c) ?? added.find((l) => l.chainId === c),
        async () => {
          if (pending.registered) return pending.registered;
          await pending.ready;
          const made = await this.layers.register(pending.file, {
            parent,
            expectedDiffId: pending.diffId,
            signal,
            onProgress: pending.onProgress,
          });
          if (pending.blobDigest !== undefined && made.blobDigest !== pending.blobDigest) {
            await this.layers.discard(made.driverId);
            throw invalidArgument(
              `layer blob digest mismatch: expected ${pending.blobDigest}, got ${made.blobDigest}`,
            );
          }
          return made;
        },
      );
      if (!existed) added.push(layer);
      else if (pending.registered && pending.registered.driverId !== layer.driverId) {
        await this.layers.discard(pending.registered.driverId);
      }
      yield {
        id: pending.label,
        status: existed ? 'Already exists' : 'Loading layer',
        current: layer.diffSize,
        total: layer.diffSize,
      };
      parent = layer;
    }
    const id = sha256Digest(image.configBytes);
    await this.blobs.writeBuffer(image.configBytes);
    const moved = new Map<string, string>();
    for (const ref of image.refs) {
      const previous = this.index.imageIdForRef(ref);
      if (previous !== undefined && previous !== id) moved.set(ref, previous);
    }
    const existing = this.index.get(id);
    this.records.commitImage({
      layers: added,
      image: {
        id,
        topLayer: parent?.chainId ?? null,
        parent: existing?.record.parent ?? image.parent ?? null,
        size: parent ? this.#chainSize(parent, added) : 0,
        loadedAt: new Date().toISOString(),
        lastTagTime: null,
      },
      refs: image.refs,
    });
    await this.index.refresh();
    const entry = this.index.get(id);
    if (!entry) throw new Error(`image ${id} vanished after its commit`);
    return { entry, moved };
  }

  #chainSize(top: LayerRecord, added: readonly LayerRecord[]): number {
    let size = 0;
    for (let at: LayerRecord | undefined = top; at;) {
      size += at.size;
      const parentId: string | null = at.parent;
      at =
        parentId === null
          ? undefined
          : (this.index.layer(parentId) ?? added.find((l) => l.chainId === parentId));
    }
    return size;
  }

  /**
   * Deletes an image and every layer no remaining image uses, files after the transaction (a
   * crash in between leaves unreferenced files, which start-up garbage collection removes).
   */
  /** Removes the image and the layers no other image has; returns their chain IDs, top first. */
  async deleteImage(entry: ImageEntry): Promise<string[]> {
    const used = new Set<string>();
    for (const other of this.index.all()) {
      if (other.id === entry.id) continue;
      for (const l of other.layers) used.add(l.chainId);
    }
    const unused = [...entry.layers].reverse().filter((l) => !used.has(l.chainId));
    this.records.deleteImage(
      entry.id,
      unused.map((l) => l.chainId),
    );
    await this.index.refresh();
    const blobsInUse = new Set(this.index.layers().map((l) => l.blobDigest));
    for (const layer of unused) await this.layers.delete(layer, blobsInUse.has(layer.blobDigest));
    if (!this.index.get(entry.id)) await this.blobs.delete(entry.id);
    return unused.map((l) => l.chainId);
  }

  /** Familiar names (`busybox:latest`) of an image's tags. */
  static familiarTags(entry: ImageEntry): string[] {
    return entry.refs
      .filter((r) => !r.includes('@'))
      .map((r) => familiarString(parseReference(r, { defaultTag: null })));
  }

  static familiarDigests(entry: ImageEntry): string[] {
    return entry.refs
      .filter((r) => r.includes('@'))
      .map((r) => familiarString(parseReference(r, { defaultTag: null })));
  }
}
