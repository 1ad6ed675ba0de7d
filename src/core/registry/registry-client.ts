// A client for one registry endpoint (Registry HTTP API v2 / OCI distribution): it learns the
// endpoint's challenge from `GET /v2/`, then authorises each request with basic credentials or
// a bearer token for the request's scopes (fetched from the challenge's realm and cached).

import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Credentials } from './auth-config.js';
import { parseChallenges, type Challenge } from './challenge.js';
import type { Endpoint } from './endpoints.js';
import { readBody, registryRequest } from './http-request.js';

const MAX_MANIFEST = 4 * 1024 * 1024;

/** An error answer from a registry or its token service; `code` is the registry's error code. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The endpoint could not be reached or spoke no HTTP we understand: try the next one. */
export class EndpointUnreachable extends Error {
  override readonly name = 'EndpointUnreachable';
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  416: 'Requested Range Not Satisfiable',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? ''}`.trim();
}

/** The registry's `{"errors":[{code,message}]}`, worded as Docker words it (`manifest unknown: …`). */
export async function errorFrom(res: IncomingMessage, what: string): Promise<RegistryError> {
  const status = res.statusCode ?? 0;
  let body: Buffer = Buffer.alloc(0);
  try {
    body = await readBody(res, 64 * 1024);
  } catch {
    // An unreadable error body still has its status.
  }
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      errors?: { code?: string; message?: string }[];
      details?: string;
    };
    const first = parsed.errors?.[0];
    if (first?.code) {
      const words = first.code.toLowerCase().replace(/_/g, ' ');
      return new RegistryError(status, first.code, `${words}: ${first.message ?? words}`);
    }
    if (typeof parsed.details === 'string')
      return new RegistryError(status, '', `${what}: ${parsed.details}`);
  } catch {
    // not JSON
  }
  const fallback: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'DENIED' };
  const code = fallback[status] ?? '';
  if (code === 'UNAUTHORIZED')
    return new RegistryError(status, code, 'unauthorized: authentication required');
  if (code === 'DENIED')
    return new RegistryError(status, code, 'denied: requested access to the resource is denied');
  return new RegistryError(
    status,
    '',
    `${what}: received unexpected HTTP status: ${statusLine(status)}`,
  );
}

export function repositoryScope(repo: string, actions: string): string {
  return `repository:${repo}:${actions}`;
}

interface RequestInit {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Buffer | Readable;
  readonly scopes?: readonly string[];
}

export class RegistryClient {
  #challenge: Challenge | undefined;
  readonly #tokens = new Map<string, Promise<string>>();

  private constructor(
    readonly endpoint: Endpoint,
    private readonly credentials: Credentials,
    private readonly signal?: AbortSignal,
  ) {}

  /** Pings the endpoints in order and keeps the first that answers as a registry. */
  static async connect(
    endpoints: readonly Endpoint[],
    credentials: Credentials,
    signal?: AbortSignal,
  ): Promise<RegistryClient> {
    let last: unknown;
    for (const endpoint of endpoints) {
      const client = new RegistryClient(endpoint, credentials, signal);
      try {
        await client.ping();
        return client;
      } catch (err) {
        if (!(err instanceof EndpointUnreachable)) throw err;
        last = err;
      }
    }
    throw last ?? new EndpointUnreachable('no endpoint to try');
  }

  get pingUrl(): string {
    return `${this.endpoint.base}/v2/`;
  }

  /** `GET /v2/`: 200 (open) or 401 with the challenge to answer from now on. */
  async ping(): Promise<void> {
    let res: IncomingMessage;
    try {
      ({ res } = await registryRequest(this.pingUrl, {
        tls: this.endpoint.tls,
        signal: this.signal,
        idleMs: 15_000,
      }));
    } catch (err) {
      if (this.signal?.aborted) throw err;
      throw new EndpointUnreachable(`Get "${this.pingUrl}": ${(err as Error).message}`);
    }
    res.resume();
    const status = res.statusCode ?? 0;
    if (status === 401) {
      this.#challenge = parseChallenges(res.headers['www-authenticate']).find(
        (c) => c.scheme === 'basic' || c.scheme === 'bearer',
      );
      return;
    }
    if (status >= 200 && status < 300) return;
    throw new EndpointUnreachable(
      `Get "${this.pingUrl}": received unexpected HTTP status: ${statusLine(status)}`,
    );
  }

  /** Whether the endpoint asks for credentials at all (answered by ping). */
  get challenge(): Challenge | undefined {
    return this.#challenge;
  }

  /** Checks the credentials against the endpoint (login): a token for no scope, or basic auth on /v2/. */
  async checkCredentials(): Promise<void> {
    const challenge = this.#challenge;
    if (!challenge) return;
    if (challenge.scheme === 'bearer') {
      await this.#fetchToken(challenge, []);
      return;
    }
    const { res } = await registryRequest(this.pingUrl, {
      tls: this.endpoint.tls,
      signal: this.signal,
      headers: this.#basic() ? { Authorization: this.#basic() } : {},
    });
    res.resume();
    if (res.statusCode !== 200) {
      throw new RegistryError(
        res.statusCode ?? 0,
        'UNAUTHORIZED',
        `login attempt to ${this.pingUrl} failed with status: ${statusLine(res.statusCode ?? 0)}`,
      );
    }
  }

  #basic(): string | undefined {
    const { username, password } = this.credentials;
    if (username === undefined || password === undefined) return undefined;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async #fetchToken(challenge: Challenge, scopes: readonly string[]): Promise<string> {
    const realm = challenge.params['realm'];
    if (!realm)
      throw new RegistryError(401, '', 'the registry sent a bearer challenge without a realm');
    const url = new URL(realm);
    const service = challenge.params['service'];
    const { username, password, identityToken } = this.credentials;
    let res: IncomingMessage;
    if (identityToken !== undefined) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: identityToken,
        client_id: 'berth',
        ...(service ? { service } : {}),
        scope: scopes.join(' '),
      });
      ({ res } = await registryRequest(url, {
        method: 'POST',
        tls: this.endpoint.tls,
        signal: this.signal,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()),
      }));
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (username !== undefined) url.searchParams.set('account', username);
      const basic = username !== undefined && password !== undefined ? this.#basic() : undefined;
      ({ res } = await registryRequest(url, {
        tls: this.endpoint.tls,
        signal: this.signal,
        headers: basic ? { Authorization: basic } : {},
      }));
    }
    if (res.statusCode !== 200) {
      const err = await errorFrom(res, `Get "${url.origin}${url.pathname}"`);
      if (err.status === 401 && err.code === '')
        throw new RegistryError(401, 'UNAUTHORIZED', 'unauthorized: authentication required');
      throw err;
    }
    const body = JSON.parse((await readBody(res, 1024 * 1024)).toString('utf8')) as {
      token?: string;
      access_token?: string;
    };
    const token = body.access_token ?? body.token;
    if (!token) throw new RegistryError(401, '', 'the token service answered without a token');
    return token;
  }

  async #authorization(scopes: readonly string[]): Promise<string | undefined> {
    const challenge = this.#challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      const basic = this.#basic();
      if (!basic) throw new RegistryError(401, 'UNAUTHORIZED', 'no basic auth credentials');
      return basic;
    }
    if (this.credentials.registryToken) return `Bearer ${this.credentials.registryToken}`;
    const key = [...scopes].sort().join(' ');
    let token = this.#tokens.get(key);
    if (!token) {
      token = this.#fetchToken(challenge, scopes);
      this.#tokens.set(key, token);
      token.catch(() => this.#tokens.delete(key));
    }
    return `Bearer ${await token}`;
  }

  /** One authorised request; a 401 on a bodiless or buffered request is retried once. */
  async request(path: string, init: RequestInit = {}): Promise<IncomingMessage> {
    const url = path.startsWith('http') ? path : `${this.endpoint.base}${path}`;
    let scopes = init.scopes ?? [];
    for (let attempt = 0; ; attempt++) {
      const auth = await this.#authorization(scopes);
      const { res } = await registryRequest(url, {
        method: init.method,
        headers: { ...init.headers, ...(auth ? { Authorization: auth } : {}) },
        body: init.body,
        tls: this.endpoint.tls,
        signal: this.signal,
      });
      const replayable = init.body === undefined || Buffer.isBuffer(init.body);
      if (res.statusCode === 401 && attempt === 0 && replayable) {
        const bearer = parseChallenges(res.headers['www-authenticate']).find(
          (c) => c.scheme === 'bearer',
        );
        if (bearer && this.#challenge?.scheme === 'bearer') {
          res.resume();
          const wanted = bearer.params['scope']?.split(' ') ?? [];
          scopes = [...new Set([...scopes, ...wanted])];
          this.#tokens.delete([...scopes].sort().join(' '));
          continue;
        }
      }
      return res;
    }
  }

  /** Fetches a manifest by tag or digest: its bytes, media type and digest (checked if asked by digest). */
  async getManifest(
    repo: string,
    reference: string,
    accept: string,
  ): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const res = await this.request(`/v2/${repo}/manifests/${reference}`, {
      headers: { Accept: accept },
      scopes: [repositoryScope(repo, 'pull')],
    });
    if (res.statusCode !== 200) throw await errorFrom(res, `manifest ${reference}`);
    const bytes = await readBody(res, MAX_MANIFEST);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new RegistryError(
        0,
        'DIGEST_INVALID',
        `manifest verification failed for digest ${reference}: got ${digest}`,
      );
    }
    return { bytes, mediaType: res.headers['content-type'] ?? '', digest };
  }

  /** The blob's body stream (a 200 answer), for the caller to hash and store. */
  async getBlob(repo: string, digest: string): Promise<IncomingMessage> {
    const res = await this.request(`/v2/${repo}/blobs/${digest}`, {
      scopes: [repositoryScope(repo, 'pull')],
    });
    if (res.statusCode !== 200) throw await errorFrom(res, `blob ${digest}`);
    return res;
  }

  async blobExists(repo: string, digest: string, scopes: readonly string[]): Promise<boolean> {
    const res = await this.request(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD', scopes });
    res.resume();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw await errorFrom(res, `blob ${digest}`);
  }

  /**
   * Starts an upload; with `mount`, asks the registry to link the blob from another repository
   * instead (201: done; 202: it started a plain upload).
   */
  async startUpload(
    repo: string,
    scopes: readonly string[],
    mount?: { digest: string; from: string },
  ): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const query = mount
      ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}`
      : '';
    const res = await this.request(`/v2/${repo}/blobs/uploads/${query}`, {
      method: 'POST',
      headers: { 'Content-Length': '0' },
      body: Buffer.alloc(0),
      scopes,
    });
    res.resume();
    if (res.statusCode === 201 && mount) return { mounted: true };
    if (res.statusCode !== 202) throw await errorFrom(res, 'starting an upload');
    return { mounted: false, location: this.#location(res) };
  }

  #location(res: IncomingMessage): string {
    const location = res.headers.location;
    if (!location) throw new RegistryError(0, '', 'the registry gave no upload location');
    return new URL(location, this.endpoint.base).toString();
  }

  /** Sends one chunk of an upload (`PATCH`); returns the location for the next request. */
  async uploadChunk(
    location: string,
    chunk: Buffer,
    offset: number,
    scopes: readonly string[],
  ): Promise<string> {
    const res = await this.request(location, {
      method: 'PATCH',
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(chunk.length),
        'Content-Range': `${offset}-${offset + chunk.length - 1}`,
      },
      body: chunk,
      scopes,
    });
    res.resume();
    if (res.statusCode !== 202) throw await errorFrom(res, 'uploading a chunk');
    return this.#location(res);
  }

  /** Completes an upload (`PUT ?digest=`), with the last bytes (or all of them: monolithic). */
  async finishUpload(
    location: string,
    digest: string,
    scopes: readonly string[],
    body?: { stream: Readable; size: number },
  ): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const res = await this.request(url.toString(), {
      method: 'PUT',
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(body?.size ?? 0),
      },
      body: body?.stream ?? Buffer.alloc(0),
      scopes,
    });
    res.resume();
    if (res.statusCode !== 201) throw await errorFrom(res, `uploading blob ${digest}`);
  }

  async putManifest(
    repo: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
    scopes: readonly string[],
  ): Promise<void> {
    const res = await this.request(`/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) },
      body: bytes,
      scopes,
    });
    res.resume();
    if (res.statusCode !== 201) throw await errorFrom(res, `putting manifest ${reference}`);
  }

  /** `GET /v2/<repo>/tags/list`: the repository's tags. */
  async tags(repo: string): Promise<string[]> {
    const res = await this.request(`/v2/${repo}/tags/list`, {
      scopes: [repositoryScope(repo, 'pull')],
    });
    if (res.statusCode !== 200) throw await errorFrom(res, 'tags');
    const body = JSON.parse((await readBody(res)).toString('utf8')) as { tags?: unknown };
    return Array.isArray(body.tags)
      ? body.tags.filter((t): t is string => typeof t === 'string')
      : [];
  }

  /** `GET /v2/_catalog`: the repository names (up to `limit`), following the `Link` pages. */
  async catalog(limit: number): Promise<string[]> {
    const names: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=100';
    for (let page = 0; path !== undefined && names.length < limit && page < 1000; page++) {
      const res = await this.request(path, { scopes: ['registry:catalog:*'] });
      if (res.statusCode !== 200) throw await errorFrom(res, 'catalog');
      const body = JSON.parse((await readBody(res)).toString('utf8')) as { repositories?: unknown };
      const list = Array.isArray(body.repositories) ? body.repositories : [];
      names.push(...list.filter((r): r is string => typeof r === 'string'));
      const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''))?.[1];
      path = link === undefined || list.length === 0 ? undefined : link;
    }
    return names.slice(0, limit);
  }

  /** The v1 search API, or undefined where the registry has none (404). */
  async searchV1(term: string, limit: number): Promise<unknown[] | undefined> {
    return this.searchV1Url(`${this.endpoint.base}/v1/search`, term, limit);
  }

  /** The v1 search API at `url` (Docker Hub's index is not its registry host). */
  async searchV1Url(url: string, term: string, limit: number): Promise<unknown[] | undefined> {
    const res = await this.request(`${url}?q=${encodeURIComponent(term)}&n=${limit}`, {});
    if (res.statusCode === 404 || res.statusCode === 405) {
      res.resume();
      return undefined;
    }
    if (res.statusCode !== 200) throw await errorFrom(res, 'search');
    const body = JSON.parse((await readBody(res)).toString('utf8')) as { results?: unknown };
    return Array.isArray(body.results) ? body.results : [];
  }
}
