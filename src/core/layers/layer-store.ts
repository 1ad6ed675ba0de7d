import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { applyLayer } from '../archive/apply.js';
import type { BlobStore } from '../content/blob-store.js';
import { detectCompression } from '../archive/compression.js';
import { decompressorFor } from '../archive/decompress.js';
import { invalidArgument } from '../errors.js';
import { sha256Digest } from '../images/image-config.js';
import type { LayerRecord } from '../state/image-records.js';
import type { StorageDriver } from './storage-driver.js';

export interface LayerProgress {
  (done: number, total: number): void;
}

export interface RegisterLayerOptions {
  /** The layer's parent, already registered (or committed in the same image). */
  readonly parent: LayerRecord | undefined;
  /** The diff ID the image config promises; a different uncompressed digest is an error. */
  readonly expectedDiffId?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: LayerProgress;
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function hashing(hash: ReturnType<typeof createHash>, onBytes?: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
}

/**
 * Turns layer blobs into stored layers: the blob is kept as received (so save and push hand out
 * the same bytes), its content is applied into a new driver layer, and the layer's diff ID is
 * checked on the way. Nothing is recorded here: the caller commits the returned records with
 * its image in one transaction, so a crash leaves at most unreferenced files behind.
 */
export class LayerStore {
  /** Layers being made right now, by chain ID, so concurrent loads of one layer share the work. */
  readonly #inFlight = new Map<string, Promise<LayerRecord>>();

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
  ) {}

  get driverName(): string {
    return this.driver.name;
  }

  /** The driver's view of a layer (GraphDriver.Data); null when it has none. */
  driverData(layer: LayerRecord): Record<string, string> | null {
    try {
      return this.driver.metadata(layer.driverId);
    } catch {
      return null; // removed while being read
    }
  }

  /**
   * Registers the layer blob in `ingestFile` (moved into the blob store on success, left for the
   * caller to delete on failure).
   */
  async register(ingestFile: string, options: RegisterLayerOptions): Promise<LayerRecord> {
    const compression = detectCompression(await readHead(ingestFile));
    const driverId = randomBytes(16).toString('hex');
    await this.driver.create(driverId, options.parent?.driverId);
    try {
      const { size: fileSize } = await stat(ingestFile);
      const blobHash = createHash('sha256');
      const diffHash = createHash('sha256');
      let read = 0;
      let diffSize = 0;
      const plain = new PassThrough();
      const unpack = decompressorFor(compression, options.signal ?? new AbortController().signal);
      const applying = applyLayer(plain, {
        target: this.driver.diffPath(driverId),
        whiteouts: this.driver.whiteoutFormat,
        signal: options.signal,
      });
      const feeding = pipeline(
        createReadStream(ingestFile),
        hashing(blobHash, (n) => {
          read += n;
          options.onProgress?.(read, fileSize);
        }),
        unpack.stage,
        hashing(diffHash, (n) => {
          diffSize += n;
        }),
        plain,
        { signal: options.signal },
      );
      const [applied] = await Promise.all([
        applying,
        unpack.done,
        feeding.catch((err: unknown) => {
          plain.destroy(err as Error);
          throw err;
        }),
      ]);
      const diffId = `sha256:${diffHash.digest('hex')}`;
      if (options.expectedDiffId !== undefined && diffId !== options.expectedDiffId) {
        throw invalidArgument(
          `layer content does not match its diff ID: expected ${options.expectedDiffId}, got ${diffId}`,
        );
      }
      const blobDigest = `sha256:${blobHash.digest('hex')}`;
      const chainId = options.parent ? sha256Digest(`${options.parent.chainId} ${diffId}`) : diffId;
      if (!(await this.blobs.has(blobDigest))) await this.blobs.commit(ingestFile, blobDigest);
      return {
        chainId,
        diffId,
        parent: options.parent?.chainId ?? null,
        driverId,
        size: applied.size,
        diffSize,
        blobDigest,
        blobCompression: compression,
        blobSize: fileSize,
        createdAt: new Date().toISOString(),
      };
    } catch (err) {
      // The first error is the one to report; a directory that cannot be removed now is an
      // orphan that the start-up garbage collection removes.
      await this.driver.remove(driverId).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Registers a layer unless its chain ID is known: `known` says whether it is already stored.
   * Concurrent calls for one chain ID share one registration.
   */
  async ensure(
    chainId: string,
    known: (chainId: string) => LayerRecord | undefined,
    make: () => Promise<LayerRecord>,
  ): Promise<{ layer: LayerRecord; existed: boolean }> {
    const existing = known(chainId);
    if (existing) return { layer: existing, existed: true };
    const pending = this.#inFlight.get(chainId);
    if (pending) return { layer: await pending, existed: true };
    const promise = make();
    this.#inFlight.set(chainId, promise);
    try {
      return { layer: await promise, existed: false };
    } finally {
      this.#inFlight.delete(chainId);
    }
  }

  /** The layer's uncompressed tar, exactly the bytes its diff ID names (for save). */
  openDiff(
    layer: LayerRecord,
    signal: AbortSignal = new AbortController().signal,
  ): NodeJS.ReadableStream {
    const unpack = decompressorFor(layer.blobCompression, signal);
    const out = unpack.stage;
    pipeline(this.blobs.read(layer.blobDigest), out).catch((err: unknown) =>
      out.destroy(err as Error),
    );
    unpack.done.catch((err: unknown) => out.destroy(err as Error));
    return out;
  }

  /** Removes a layer's files: its driver directory and, if unshared, its blob. */
  async delete(layer: LayerRecord, blobStillUsed: boolean): Promise<void> {
    await this.driver.remove(layer.driverId);
    if (!blobStillUsed) await this.blobs.delete(layer.blobDigest);
  }

  /** Removes the driver directory of a layer that was never committed. */
  async discard(driverId: string): Promise<void> {
    await this.driver.remove(driverId);
  }
}
