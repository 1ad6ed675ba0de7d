import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidArgument } from '../core/errors.js';

const MAX_JSON_BODY = 8 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** Starts a chunked JSON stream and sends its headers at once (clients block on them). */
export function startJsonStream(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
}

/**
 * Writes one chunk (to a response or a hijacked socket), waiting for it to drain when it is
 * full, unless it closes or the signal aborts.
 */
export async function writeChunk(
  out: NodeJS.WritableStream,
  data: string | Buffer,
  signal: AbortSignal,
): Promise<void> {
  if (out.write(data) || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      out.removeListener('drain', done);
      out.removeListener('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    signal.addEventListener('abort', done);
  });
}

/**
 * Reads a JSON request body. A body with another Content-Type, one that is not JSON, or one
 * over the size limit is a 400. An empty body is undefined.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY)
      throw invalidArgument(`request body is larger than ${MAX_JSON_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  const type = req.headers['content-type'];
  if (type !== undefined && type.split(';')[0]?.trim() !== 'application/json') {
    throw invalidArgument(`Content-Type specified (${type}) must be 'application/json'`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidArgument(`invalid JSON in request body: ${(err as Error).message}`);
  }
}

/** Docker's boolean query values: 1/true/True... are true; absent is the default. */
export function queryBool(query: URLSearchParams, name: string, fallback = false): boolean {
  const v = query.get(name);
  if (v === null || v === '') return fallback;
  const lower = v.toLowerCase();
  if (lower === '1' || lower === 'true') return true;
  if (lower === '0' || lower === 'false') return false;
  throw invalidArgument(`invalid value for ${name}: ${JSON.stringify(v)} is not a boolean`);
}
