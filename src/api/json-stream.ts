import type { ServerResponse } from 'node:http';
import type { Progress } from '../core/progress.js';
import { humanSize } from '../lib/units.js';
import type { JsonMessage } from '../types/docker/images.js';
import { messageOf } from './errors.js';
import { startJsonStream, writeChunk } from './http.js';

/** The pre-rendered bar of a jsonmessage, as Docker draws it: `[=====>     ]  32.77kB/308.7kB`. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current).padStart(8);
  const percent = Math.min(100, Math.floor((current / total) * 100));
  const half = Math.floor(percent / 2);
  return `[${'='.repeat(half)}>${' '.repeat(50 - half)}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export function toJsonMessage(p: Progress): JsonMessage {
  const m: JsonMessage = {};
  if (p.status !== undefined) m.status = p.status;
  if (p.current !== undefined) {
    m.progressDetail = { current: p.current, total: p.total };
    m.progress = progressBar(p.current, p.total ?? 0);
  } else if (p.status !== undefined) {
    m.progressDetail = {};
  }
  if (p.id !== undefined) m.id = p.id;
  if (p.stream !== undefined) m.stream = p.stream;
  if (p.aux !== undefined) m.aux = { ...p.aux };
  return m;
}

/**
 * Streams progress as Docker's JSON message stream: one object per chunk ending in `\r\n`.
 * A failure after the headers went out becomes an in-band `errorDetail` (the CLI's exit
 * status comes from it), since the status line can no longer change.
 */
export async function streamProgress(
  res: ServerResponse,
  progress: AsyncIterable<Progress>,
  signal: AbortSignal,
  filter: (p: Progress) => boolean = () => true,
): Promise<void> {
  startJsonStream(res);
  try {
    for await (const p of progress) {
      if (filter(p)) await writeChunk(res, JSON.stringify(toJsonMessage(p)) + '\r\n', signal);
    }
  } catch (err) {
    if (signal.aborted) throw err;
    const message = messageOf(err);
    const failure: JsonMessage = { errorDetail: { message }, error: message };
    await writeChunk(res, JSON.stringify(failure) + '\r\n', signal);
  }
  res.end();
}
