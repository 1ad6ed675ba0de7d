import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
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

/**
 * An error on a connection the client asked to hijack, before the 101: a plain HTTP response
 * written on the socket (the client reports its status), then the connection closes.
 */
export function writeUpgradeError(socket: Duplex, err: unknown, logger: Logger): void {
  const status = statusOf(err);
  if (status === 500) logger.error('request failed', { error: messageOf(err) });
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ message: messageOf(err) }) + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const STATUS_TEXT: Record<number, string> = {
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** Answers a hijack request: after this, the socket carries the raw stream. */
export function acceptUpgrade(
  socket: Duplex,
  contentType = 'application/vnd.docker.raw-stream',
): void {
  socket.write(
    `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
  );
}
