// Applying a layer tar stream (gzip, zstd or plain) to a directory. See layer-writer.ts for
// how entries are written and scoped-dirs.ts for how nothing is written outside the target.

import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Extract } from 'tar-stream';
import { BerthError, cancelled, isBerthError } from '../errors.js';
import { openDecompressor, toReadable } from './decompress.js';
import { LayerWriter } from './layer-writer.js';
import { createTarExtract, TarEndPadding } from './tar-extract.js';
import type { ApplyOptions, ApplyResult } from './types.js';

/**
 * Writes the entries of a layer tar into `options.target`. Rejects (having stopped the
 * streams and killed the tools it spawned) on the first failure: an entry that would leave
 * the target is an invalid-argument error naming it; an abort is a cancelled error. The
 * caller removes a half-written target.
 */
export async function applyLayer(
  source: NodeJS.ReadableStream | Readable,
  options: ApplyOptions,
): Promise<ApplyResult> {
  options.signal?.throwIfAborted();
  const input = toReadable(source);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(cancelled());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await applyStream(input, options, stop);
  } catch (err) {
    throw options.signal?.aborted ? cancelled() : asBerthError(err);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    input.destroy();
  }
}

async function applyStream(
  input: Readable,
  options: ApplyOptions,
  stop: AbortController,
): Promise<ApplyResult> {
  const decompressor = await openDecompressor(input, stop.signal);
  const padding = new TarEndPadding();
  const extract = createTarExtract();
  const writer = new LayerWriter({
    root: options.target,
    whiteouts: options.whiteouts,
    umask: await currentUmask(),
    isTruncated: (header) => padding.isTruncated(header),
  });
  // Whichever part fails first stops the others; its error is the one reported.
  const failed = (err: unknown): never => {
    stop.abort(err);
    throw err;
  };
  const results = await Promise.allSettled([
    pipeline(input, decompressor.stage, padding, extract, { signal: stop.signal }).catch(failed),
    decompressor.done.catch(failed),
    writeEntries(extract, writer, stop.signal).catch(failed),
  ]);
  if (results.some((result) => result.status === 'rejected')) throw stop.signal.reason;
  return { size: writer.size };
}

async function writeEntries(
  extract: Extract,
  writer: LayerWriter,
  signal: AbortSignal,
): Promise<void> {
  for await (const entry of extract) {
    signal.throwIfAborted();
    await writer.write(entry.header, entry as unknown as AsyncIterable<Buffer>);
  }
  signal.throwIfAborted();
  await writer.finish(signal);
}

/** The umask, which open and mkdir apply (read, not set: process.umask() would change it). */
async function currentUmask(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  const match = /^Umask:\s*([0-7]+)$/m.exec(status);
  return match?.[1] === undefined ? 0o777 : Number.parseInt(match[1], 8);
}

/** tar-stream and zlib fail with plain errors on a corrupt stream: the input is at fault. */
function asBerthError(err: unknown): unknown {
  if (isBerthError(err) || hasCode(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BerthError('invalid-argument', `invalid layer archive: ${message}`, { cause: err });
}

function hasCode(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && !code.startsWith('Z_') && code !== 'ERR_STREAM_PREMATURE_CLOSE'
  );
}
