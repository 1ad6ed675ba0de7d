import type { ServerResponse } from 'node:http';
import { isBerthError, type ErrorKind } from '../core/errors.js';
import type { Logger } from '../lib/logger.js';

/** The one place where an error kind becomes an HTTP status. */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  'invalid-argument': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  'not-implemented': 501,
  unavailable: 503,
  cancelled: 499,
  internal: 500,
};

export function statusOf(err: unknown): number {
  return isBerthError(err) ? STATUS_BY_KIND[err.kind] : 500;
}

export function messageOf(err: unknown): string {
  if (isBerthError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes `{"message": ...}` with exactly `Content-Type: application/json` (the Docker CLI
 * compares the header as a string). A 304 has no body.
 */
export function writeError(res: ServerResponse, err: unknown, logger: Logger): void {
  const status = statusOf(err);
  if (status === 500) logger.error('request failed', { error: messageOf(err) });
  if (res.headersSent) {
    // A stream already started: nothing can be said in-band here, so end it.
    res.destroy();
    return;
  }
  if (status === 304) {
    res.writeHead(304);
    res.end();
    return;
  }
  const body = JSON.stringify({ message: messageOf(err) }) + '\n';
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
