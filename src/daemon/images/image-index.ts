import type { BlobStore } from '../../core/content/blob-store.js';
import { invalidArgument, isBerthError, notFound } from '../../core/errors.js';
import { parseImageConfig, type ImageConfig } from '../../core/images/image-config.js';
import {
  familiarString,
  formatReference,
  isFullImageId,
  parseReference,
} from '../../core/images/reference.js';
import type { ImageEntry } from '../../core/images/image-views.js';
import type { ImageRecords, LayerRecord } from '../../core/state/image-records.js';

/**
 * The in-memory view of the image store, rebuilt from SQLite and the config blobs at start and
 * after each change, so listing and lookups never touch the disk.
 */
export class ImageIndex {
  #images = new Map<string, ImageEntry>();
  #refs = new Map<string, string>();
  #layers = new Map<string, LayerRecord>();
  readonly #configs = new Map<string, { config: ImageConfig; size: number }>();

  constructor(
    private readonly records: ImageRecords,
    private readonly blobs: BlobStore,
  ) {}

  /** Re-reads the records; configs are read once per image and cached. */
  async refresh(): Promise<void> {
    const layers = new Map(this.records.layers().map((l) => [l.chainId, l]));
    const refsByImage = new Map<string, string[]>();
    const refs = new Map<string, string>();
    for (const r of this.records.refs()) {
      refs.set(r.ref, r.imageId);
      const list = refsByImage.get(r.imageId) ?? [];
      list.push(r.ref);
      refsByImage.set(r.imageId, list);
    }
    const images = new Map<string, ImageEntry>();
    for (const record of this.records.images()) {
      let cached = this.#configs.get(record.id);
      if (!cached) {
        const chunks: Buffer[] = [];
        for await (const chunk of this.blobs.read(record.id)) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        cached = { config: parseImageConfig(bytes), size: bytes.length };
        this.#configs.set(record.id, cached);
      }
      const chain: LayerRecord[] = [];
      for (let at = record.topLayer; at !== null;) {
        const layer = layers.get(at);
        if (!layer) throw new Error(`image ${record.id} refers to missing layer ${at}`);
        chain.unshift(layer);
        at = layer.parent;
      }
      images.set(record.id, {
        record,
        id: record.id,
        config: cached.config,
        configSize: cached.size,
        layers: chain,
        refs: (refsByImage.get(record.id) ?? []).sort(),
      });
    }
    for (const id of this.#configs.keys()) if (!images.has(id)) this.#configs.delete(id);
    this.#images = images;
    this.#refs = refs;
    this.#layers = layers;
  }

  all(): ImageEntry[] {
    return [...this.#images.values()];
  }

  get(id: string): ImageEntry | undefined {
    return this.#images.get(id);
  }

  layer(chainId: string): LayerRecord | undefined {
    return this.#layers.get(chainId);
  }

  layers(): LayerRecord[] {
    return [...this.#layers.values()];
  }

  imageIdForRef(ref: string): string | undefined {
    return this.#refs.get(ref);
  }

  /** Images whose parent is this one (built or committed from it). */
  children(id: string): ImageEntry[] {
    return this.all().filter((e) => e.record.parent === id);
  }

  /**
   * Finds an image by reference (`busybox`, `busybox:1`, `repo@sha256:…`), full ID
   * (`sha256:…` or 64 hex), or unique ID prefix, as the Docker daemon does.
   */
  resolve(name: string): { entry: ImageEntry; byReference?: string } {
    if (isFullImageId(name)) {
      const id = name.startsWith('sha256:') ? name : `sha256:${name}`;
      const entry = this.#images.get(id);
      if (entry) return { entry };
      throw notFound(`No such image: ${name}`);
    }
    try {
      const ref = formatReference(parseReference(name));
      const id = this.#refs.get(ref);
      const entry = id === undefined ? undefined : this.#images.get(id);
      if (entry) return { entry, byReference: ref };
    } catch (err) {
      if (!isBerthError(err, 'invalid-argument')) throw err;
      if (!/^(sha256:)?[0-9a-f]+$/.test(name)) throw err;
    }
    const prefix = name.startsWith('sha256:') ? name : `sha256:${name}`;
    if (/^sha256:[0-9a-f]+$/.test(prefix)) {
      const matches = this.all().filter((e) => e.id.startsWith(prefix));
      if (matches.length === 1) return { entry: matches[0] as ImageEntry };
      if (matches.length > 1)
        throw invalidArgument(`ambiguous image ID prefix ${name}: ${matches.length} images match`);
    }
    // As Docker names it: the reference in full (`nosuch:latest`).
    let shown = name;
    try {
      shown = familiarString(parseReference(name));
    } catch (err) {
      if (!isBerthError(err, 'invalid-argument')) throw err;
    }
    throw notFound(`No such image: ${shown}`);
  }
}
