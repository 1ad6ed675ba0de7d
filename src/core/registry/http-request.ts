// One HTTP(S) request to a registry, as a Node stream: no buffering of bodies, an AbortSignal,
// a connect/idle timeout, redirects followed a bounded number of times (blob GETs may redirect
// to storage, which must not see the registry's credentials).

import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface TlsOptions {
  /** PEM CA certificates to trust besides the system's. */
  readonly ca?: readonly string[];
  readonly cert?: string;
  readonly key?: string;
  /** Skip verification (insecure registries). */
  readonly insecure?: boolean;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  /** A buffer, or a stream (sent with the Content-Length in headers, or chunked). */
  readonly body?: Buffer | Readable;
  readonly tls?: TlsOptions;
  readonly signal?: AbortSignal;
  /** Socket idle timeout: a registry that stops sending fails the request. */
  readonly idleMs?: number;
}

const MAX_REDIRECTS = 5;
const IDLE_MS = 30_000;

function once(url: URL, options: RequestOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const tls = options.tls ?? {};
    const req = (secure ? https : http).request(url, {
      method: options.method ?? 'GET',
      headers: { 'User-Agent': 'berth', ...options.headers },
      signal: options.signal,
      ...(secure
        ? {
            ...(tls.ca && tls.ca.length > 0 ? { ca: [...tls.ca] } : {}),
            ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
            rejectUnauthorized: tls.insecure !== true,
          }
        : {}),
    });
    req.setTimeout(options.idleMs ?? IDLE_MS, () =>
      req.destroy(new Error(`${url.origin}: no answer for ${(options.idleMs ?? IDLE_MS) / 1000}s`)),
    );
    req.on('response', (res) => {
      // The response body inherits the idle timeout through its socket.
      res.socket?.setTimeout(options.idleMs ?? IDLE_MS, () =>
        res.destroy(new Error(`${url.origin}: the transfer stalled`)),
      );
      resolve(res);
    });
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    }
  });
}

/** Sends a request; 3xx with a Location is followed (GET/HEAD only), without Authorization. */
export async function registryRequest(
  url: string | URL,
  options: RequestOptions = {},
): Promise<{ res: IncomingMessage; url: URL }> {
  let at = new URL(url);
  let current = options;
  for (let hops = 0; ; hops++) {
    const res = await once(at, current);
    const location = res.headers.location;
    const method = current.method ?? 'GET';
    if (
      res.statusCode !== undefined &&
      [301, 302, 303, 307, 308].includes(res.statusCode) &&
      location !== undefined &&
      (method === 'GET' || method === 'HEAD') &&
      hops < MAX_REDIRECTS
    ) {
      res.resume();
      const next = new URL(location, at);
      const headers = { ...current.headers };
      if (next.host !== at.host) delete headers['Authorization'];
      current = { ...current, headers };
      at = next;
      continue;
    }
    return { res, url: at };
  }
}

/** Reads a (small) response body, refusing more than `limit` bytes. */
export async function readBody(res: IncomingMessage, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.destroy();
      throw new Error(`the registry's answer is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
