import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hasErrno, invalidArgument, notFound } from '../errors.js';

export interface BlobInfo {
  readonly digest: string;
  readonly size: number;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function checkDigest(digest: string): void {
  if (!DIGEST.test(digest)) throw invalidArgument(`invalid digest ${JSON.stringify(digest)}`);
}

/**
 * Content-addressed blobs under `<root>/sha256/<hex>`. A blob is written to the ingest area,
 * hashed and fsynced on the way, and renamed into place only when its digest is known (and,
 * if one was expected, matches): a crash never leaves a half blob under a real digest.
 */
export class BlobStore {
  readonly #root: string;
  readonly #ingest: string;

  constructor(root: string, ingest: string) {
    this.#root = root;
    this.#ingest = ingest;
  }

  async init(): Promise<void> {
    await mkdir(join(this.#root, 'sha256'), { recursive: true, mode: 0o700 });
    await mkdir(this.#ingest, { recursive: true, mode: 0o700 });
    // Whatever is in the ingest area was being written when the daemon stopped.
    for (const name of await readdir(this.#ingest))
      await rm(join(this.#ingest, name), { recursive: true, force: true });
  }

  path(digest: string): string {
    checkDigest(digest);
    return join(this.#root, 'sha256', digest.slice('sha256:'.length));
  }

  /** A fresh path in the ingest area (same filesystem as the blobs, so a rename commits it). */
  ingestPath(label = 'blob'): string {
    return join(this.#ingest, `${label}-${randomBytes(8).toString('hex')}`);
  }

  async has(digest: string): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) throw notFound(`blob ${digest} not found`);
      throw err;
    }
  }

  read(digest: string): ReadStream {
    return createReadStream(this.path(digest));
  }

  /** Streams `source` into the store; with `expected`, a different digest is an error and nothing is kept. */
  async write(
    source: Readable,
    options: { expected?: string; signal?: AbortSignal } = {},
  ): Promise<BlobInfo> {
    const temp = this.ingestPath();
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temp, { mode: 0o600 }),
        { signal: options.signal },
      );
      const digest = `sha256:${hash.digest('hex')}`;
      if (options.expected !== undefined && options.expected !== digest) {
        throw invalidArgument(`digest mismatch: expected ${options.expected}, got ${digest}`);
      }
      await this.commit(temp, digest);
      return { digest, size };
    } finally {
      await unlink(temp).catch((err: unknown) => {
        if (!hasErrno(err, 'ENOENT')) throw err;
      });
    }
  }

  async writeBuffer(data: Buffer | string): Promise<BlobInfo> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (await this.has(digest)) return { digest, size: bytes.length };
    const temp = this.ingestPath();
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.commit(temp, digest);
    return { digest, size: bytes.length };
  }

  /** Moves a fully written, fsynced ingest file into place under its digest. */
  async commit(ingestFile: string, digest: string): Promise<void> {
    const handle = await open(ingestFile, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(ingestFile, this.path(digest));
  }

  async delete(digest: string): Promise<void> {
    await unlink(this.path(digest)).catch((err: unknown) => {
      if (!hasErrno(err, 'ENOENT')) throw err;
    });
  }

  async list(): Promise<string[]> {
    return (await readdir(join(this.#root, 'sha256'))).map((hex) => `sha256:${hex}`);
  }
}
