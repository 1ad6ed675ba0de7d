// Unpacking the tar stream of an archive PUT (docker cp into a container): plain, gzip or zstd,
// entries written by lib/scoped-fs/unpack-tree.ts under Docker's rules. The source (a request
// body) is never destroyed here: after a failure the caller decides what to do with the rest.

import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Extract } from 'tar-stream';
import {
  unpackTree,
  type ArchiveEntry,
  type DeviceNode,
  type UnpackOptions,
} from '../../lib/scoped-fs/unpack-tree.js';
import { BerthError, cancelled, isBerthError } from '../errors.js';
import { openDecompressor } from './decompress.js';
import { shellQuote } from './finish-layer.js';
import { createTarExtract } from './tar-extract.js';
import { runTool } from './tool.js';

export type CopyUnpackOptions = Omit<UnpackOptions, 'signal' | 'makeNode'> & {
  readonly signal: AbortSignal;
};

/**
 * Unpacks `source` into `options.dest`. A failure of the archive or of a write is an internal
 * error worded as Docker's ("Error processing tar file(exit status 1): ..."); an abort is a
 * cancelled error. What was written before a failure stays, as with Docker.
 */
export async function unpackArchive(source: Readable, options: CopyUnpackOptions): Promise<void> {
  options.signal.throwIfAborted();
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(cancelled());
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const decompressor = await openDecompressor(source, stop.signal);
    const extract = createTarExtract();
    const failed = (err: unknown): never => {
      stop.abort(err);
      throw err;
    };
    let onSourceError: (err: Error) => void = () => undefined;
    const sourceError = new Promise<never>((_, reject) => {
      onSourceError = reject;
    });
    source.once('error', onSourceError);
    source.pipe(decompressor.stage);
    try {
      const results = await Promise.allSettled([
        Promise.race([
          pipeline(decompressor.stage, extract, { signal: stop.signal }),
          sourceError,
        ]).catch(failed),
        decompressor.done.catch(failed),
        unpackTree(entriesOf(extract), {
          ...options,
          makeNode: (path, node) => makeNode(path, node, stop.signal),
          signal: stop.signal,
        }).catch(failed),
      ]);
      if (results.some((r) => r.status === 'rejected')) throw stop.signal.reason;
    } finally {
      source.off('error', onSourceError);
      source.unpipe(decompressor.stage);
    }
  } catch (err) {
    throw options.signal.aborted ? cancelled() : asBerthError(err);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}

async function* entriesOf(extract: Extract): AsyncGenerator<ArchiveEntry> {
  for await (const entry of extract) {
    yield { header: entry.header, data: entry as unknown as AsyncIterable<Buffer> };
  }
}

/** One busybox mknod per node (its applet runs in-process, no exec). */
async function makeNode(path: string, node: DeviceNode, signal: AbortSignal): Promise<void> {
  const mode = node.mode.toString(8).padStart(4, '0');
  const kind = node.type === 'fifo' ? 'p' : node.type === 'block-device' ? 'b' : 'c';
  const numbers = kind === 'p' ? '' : ` ${node.major} ${node.minor}`;
  await runTool({
    command: 'busybox',
    args: ['sh', '-s'],
    input: [`mknod -m ${mode} ${shellQuote(path)} ${kind}${numbers}\n`],
    signal,
  });
}

function asBerthError(err: unknown): unknown {
  if (isBerthError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BerthError('internal', `Error processing tar file(exit status 1): ${message}`, {
    cause: err,
  });
}
