// Turns a layer stream (gzip, zstd or plain tar) into a plain tar stream.

import { Duplex, PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { detectCompression, MAGIC_LENGTH, type Compression } from './compression.js';
import { BerthError, isBerthError } from '../errors.js';
import { startTool } from './tool.js';

const CHUNK_SIZE = 64 * 1024;

export interface Decompressor {
  readonly compression: Compression;
  /** The stage to pipe the source through: a plain tar comes out. */
  readonly stage: Duplex;
  /** Settles when the decompressor is done: for zstd, when the tool has exited. */
  readonly done: Promise<void>;
}

/** Adapts any readable (old-style streams included) to a stream.Readable. */
export function toReadable(source: NodeJS.ReadableStream | Readable): Readable {
  return source instanceof Readable ? source : new Readable().wrap(source);
}

/**
 * Peeks at the first bytes of `source` (they stay in it) and returns the stage that
 * decompresses it. `signal` kills the zstd tool.
 */
export async function openDecompressor(
  source: Readable,
  signal: AbortSignal,
): Promise<Decompressor> {
  const compression = detectCompression(await peek(source, MAGIC_LENGTH, signal));
  return decompressorFor(compression, signal);
}

/** The stage that decompresses a stream whose compression is known already. */
export function decompressorFor(compression: Compression, signal: AbortSignal): Decompressor {
  switch (compression) {
    case 'gzip':
      return {
        compression,
        stage: createGunzip({ chunkSize: CHUNK_SIZE }),
        done: Promise.resolve(),
      };
    case 'zstd': {
      const tool = startTool({ command: 'zstd', args: ['-d', '-c', '-q'], signal });
      const stage = Duplex.from({ writable: tool.stdin, readable: tool.stdout });
      return { compression, stage, done: tool.done.catch(badInput) };
    }
    case 'none':
      return {
        compression,
        stage: new PassThrough({ highWaterMark: CHUNK_SIZE }),
        done: Promise.resolve(),
      };
  }
}

/** zstd failing on its input means the layer is corrupt (an abort's reason passes through). */
function badInput(err: unknown): never {
  if (!isBerthError(err, 'internal')) throw err;
  throw new BerthError('invalid-argument', `invalid layer archive: ${err.message}`, { cause: err });
}

/** Reads up to `size` bytes from the start of `stream` and puts them back (unshift). */
async function peek(stream: Readable, size: number, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < size && !stream.readableEnded && !stream.destroyed) {
    const chunk = stream.read() as Buffer | string | null;
    if (chunk === null) {
      await readableOrEnd(stream, signal);
      continue;
    }
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(data);
    length += data.length;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) stream.unshift(head);
  return head;
}

/** Waits until `stream` has data or has ended (or fails: its error, or the signal's reason). */
function readableOrEnd(stream: Readable, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown): void => {
      stream.off('readable', onReady).off('end', onReady).off('close', onReady);
      stream.off('error', settle);
      signal.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onReady = (): void => settle();
    const onAbort = (): void => settle(signal.reason);
    if (signal.aborted) return settle(signal.reason);
    if (stream.errored) return settle(stream.errored);
    if (stream.destroyed) return settle();
    stream.on('readable', onReady).on('end', onReady).on('close', onReady).on('error', settle);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
