import type Database from 'better-sqlite3';

import type { Compression } from '../archive/compression.js';

export type { Compression };

export interface LayerRecord {
  readonly chainId: string;
  readonly diffId: string;
  readonly parent: string | null;
  readonly driverId: string;
  /** Bytes of file content in this layer alone. */
  readonly size: number;
  /** Bytes of the uncompressed layer tar (whose sha256 is the diff ID). */
  readonly diffSize: number;
  readonly blobDigest: string;
  readonly blobCompression: Compression;
  readonly blobSize: number;
  readonly createdAt: string;
}

export interface ImageRecord {
  readonly id: string;
  readonly topLayer: string | null;
  readonly parent: string | null;
  /** Bytes of file content in all the image's layers. */
  readonly size: number;
  readonly loadedAt: string;
  readonly lastTagTime: string | null;
}

export interface RefRecord {
  readonly ref: string;
  readonly imageId: string;
  readonly createdAt: string;
}

interface LayerRow {
  chain_id: string;
  diff_id: string;
  parent: string | null;
  driver_id: string;
  size: number;
  diff_size: number;
  blob_digest: string;
  blob_compression: Compression;
  blob_size: number;
  created_at: string;
}

interface ImageRow {
  id: string;
  top_layer: string | null;
  parent: string | null;
  size: number;
  loaded_at: string;
  last_tag_time: string | null;
}

const toLayer = (r: LayerRow): LayerRecord => ({
  chainId: r.chain_id,
  diffId: r.diff_id,
  parent: r.parent,
  driverId: r.driver_id,
  size: r.size,
  diffSize: r.diff_size,
  blobDigest: r.blob_digest,
  blobCompression: r.blob_compression,
  blobSize: r.blob_size,
  createdAt: r.created_at,
});

const toImage = (r: ImageRow): ImageRecord => ({
  id: r.id,
  topLayer: r.top_layer,
  parent: r.parent,
  size: r.size,
  loadedAt: r.loaded_at,
  lastTagTime: r.last_tag_time,
});

/** Layers, images and references in SQLite: every change is one transaction. */
export class ImageRecords {
  constructor(private readonly db: Database.Database) {}

  layers(): LayerRecord[] {
    return (this.db.prepare('SELECT * FROM layers').all() as LayerRow[]).map(toLayer);
  }

  layer(chainId: string): LayerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM layers WHERE chain_id = ?').get(chainId) as
      LayerRow | undefined;
    return row ? toLayer(row) : undefined;
  }

  images(): ImageRecord[] {
    return (this.db.prepare('SELECT * FROM images').all() as ImageRow[]).map(toImage);
  }

  refs(): RefRecord[] {
    return (
      this.db.prepare('SELECT ref, image_id, created_at FROM image_refs').all() as {
        ref: string;
        image_id: string;
        created_at: string;
      }[]
    ).map((r) => ({ ref: r.ref, imageId: r.image_id, createdAt: r.created_at }));
  }

  /**
   * Commits a new image with the layers it brought and its references, in one transaction.
   * A reference that pointed at another image moves to this one.
   */
  commitImage(input: {
    layers: readonly LayerRecord[];
    image: ImageRecord;
    refs: readonly string[];
  }): void {
    const insertLayer = this.db.prepare(
      `INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, driver_id, size, diff_size, blob_digest, blob_compression, blob_size, created_at)
       VALUES (@chainId, @diffId, @parent, @driverId, @size, @diffSize, @blobDigest, @blobCompression, @blobSize, @createdAt)`,
    );
    const insertImage = this.db.prepare(
      `INSERT INTO images (id, top_layer, parent, size, loaded_at, last_tag_time)
       VALUES (@id, @topLayer, @parent, @size, @loadedAt, @lastTagTime)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.db.transaction(() => {
      for (const layer of input.layers) insertLayer.run(layer);
      insertImage.run(input.image);
      for (const ref of input.refs) this.#setRef(ref, input.image.id);
    })();
  }

  #setRef(ref: string, imageId: string): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO image_refs (ref, image_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT (ref) DO UPDATE SET image_id = excluded.image_id, created_at = excluded.created_at`,
      )
      .run(ref, imageId, now);
    this.db.prepare('UPDATE images SET last_tag_time = ? WHERE id = ?').run(now, imageId);
  }

  setRef(ref: string, imageId: string): void {
    this.db.transaction(() => this.#setRef(ref, imageId))();
  }

  deleteRef(ref: string): void {
    this.db.prepare('DELETE FROM image_refs WHERE ref = ?').run(ref);
  }

  /** Deletes an image (its references go with it) and the layers given, in one transaction. */
  deleteImage(imageId: string, unusedLayers: readonly string[]): void {
    const deleteLayer = this.db.prepare('DELETE FROM layers WHERE chain_id = ?');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM images WHERE id = ?').run(imageId);
      // Children before parents (the parent column references them).
      for (const chainId of unusedLayers) deleteLayer.run(chainId);
    })();
  }
}
