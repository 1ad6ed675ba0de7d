import type http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  ContainerChangeResponseItem,
  ContainerCommitResponse,
  ContainerCreateResponse,
  ContainerInspect,
  ContainersPruneResponse,
  ContainerSummary,
} from '../types/docker/containers.js';
import { ENGINE_API_VERSION, type ErrorResponse } from '../types/docker/api.js';
import type { ContainerTopResponse, StatsResponse } from '../types/docker/stats.js';
import type {
  AuthResponse,
  ImageSearchResponseItem,
  DeleteResponseItem,
  DiskUsage,
  HistoryResponseItem,
  ImageInspect,
  ImagesPruneResponse,
  ImageSummary,
  JsonMessage,
} from '../types/docker/images.js';
import type {
  BerthCommand,
  BerthJob,
  EventMessage,
  InfoResponse,
  VersionResponse,
} from '../types/docker/system.js';
import type { ExecCreateRequest, ExecCreateResponse, ExecInspect } from '../types/docker/exec.js';
import { describeHost, requestTarget, type ConnectionOptions } from './connection.js';

/** The daemon answered with an error status; `message` is its JSON message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The daemon could not be reached at all. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** Send the path as given, without the /vX.Y prefix. */
  readonly unversioned?: boolean;
  /** A request body streamed as is (chunked). */
  readonly upload?: NodeJS.ReadableStream;
  readonly contentType?: string;
}

/** The non-empty lines of a stream of newline-terminated JSON objects. */
async function* jsonLines(source: AsyncIterable<unknown>): AsyncGenerator<string> {
  let buffered = '';
  for await (const chunk of source) {
    buffered += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line !== '') yield line;
    }
  }
  if (buffered.trim() !== '') yield buffered.trim();
}

/** Image names go into paths as they are (`127.0.0.1:5000/app:1`), each part escaped. */
function imagePath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

export interface PingResult {
  readonly apiVersion: string;
  readonly osType: string;
  readonly experimental: boolean;
  readonly builderVersion?: string;
}

export interface EventsQuery {
  readonly since?: string;
  readonly until?: string;
  readonly filters?: Record<string, string[]>;
}

/** An event as received, with its nanosecond time kept exact (a JSON number cannot hold it). */
export interface ReceivedEvent extends EventMessage {
  readonly exactTimeNano: bigint;
}

export function parseEventLine(line: string): ReceivedEvent {
  const message = JSON.parse(line) as EventMessage;
  const digits = /"timeNano":(\d+)/.exec(line)?.[1];
  const exactTimeNano =
    digits !== undefined ? BigInt(digits) : BigInt(message.time) * 1_000_000_000n;
  return { ...message, exactTimeNano };
}

function compareVersions(a: string, b: string): number {
  const [amaj = 0, amin = 0] = a.split('.').map(Number);
  const [bmaj = 0, bmin = 0] = b.split('.').map(Number);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

export function encodeFilters(filters: Record<string, string[]> | undefined): string | undefined {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  const out: Record<string, Record<string, boolean>> = {};
  for (const [k, values] of Object.entries(filters)) {
    out[k] = Object.fromEntries(values.map((v) => [v, true]));
  }
  return JSON.stringify(out);
}

/** A typed Engine API client over a unix socket, TCP, or TCP+TLS. */
export class BerthClient {
  #apiVersion: string | undefined;
  /** This client's own connection pool: keep-alive sockets are never shared between clients. */
  #agent: http.Agent | undefined;

  constructor(readonly connection: ConnectionOptions) {}

  /** Closes the idle keep-alive connections. */
  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  get address(): string {
    return describeHost(this.connection.host);
  }

  /** The version used in paths: the daemon's, capped at the one this client speaks. */
  async apiVersion(): Promise<string> {
    if (this.#apiVersion === undefined) {
      const ping = await this.ping();
      this.#apiVersion =
        compareVersions(ping.apiVersion, ENGINE_API_VERSION) < 0
          ? ping.apiVersion
          : ENGINE_API_VERSION;
    }
    return this.#apiVersion;
  }

  async ping(signal?: AbortSignal): Promise<PingResult> {
    const res = await this.request('HEAD', '/_ping', { unversioned: true, signal });
    const header = (name: string): string | undefined => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    return {
      apiVersion: header('api-version') ?? '1.24',
      osType: header('ostype') ?? '',
      experimental: header('docker-experimental') === 'true',
      builderVersion: header('builder-version'),
    };
  }

  version(): Promise<VersionResponse> {
    return this.json('GET', '/version');
  }

  info(): Promise<InfoResponse> {
    return this.json('GET', '/info');
  }

  commands(): Promise<BerthCommand[]> {
    return this.json('GET', '/berth/commands');
  }

  jobs(): Promise<BerthJob[]> {
    return this.json('GET', '/berth/jobs');
  }

  async *events(query: EventsQuery, signal?: AbortSignal): AsyncGenerator<ReceivedEvent> {
    const res = await this.stream('GET', '/events', {
      query: { since: query.since, until: query.until, filters: encodeFilters(query.filters) },
      signal,
    });
    try {
      for await (const line of jsonLines(res)) yield parseEventLine(line);
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    } finally {
      res.destroy();
    }
  }

  listImages(
    options: { all?: boolean; filters?: Record<string, string[]> } = {},
  ): Promise<ImageSummary[]> {
    return this.json('GET', '/images/json', {
      query: { all: options.all ? true : undefined, filters: encodeFilters(options.filters) },
    });
  }

  inspectImage(name: string): Promise<ImageInspect> {
    return this.json('GET', `/images/${imagePath(name)}/json`);
  }

  imageHistory(name: string): Promise<HistoryResponseItem[]> {
    return this.json('GET', `/images/${imagePath(name)}/history`);
  }

  async tagImage(source: string, repo: string, tag: string): Promise<void> {
    const res = await this.request('POST', `/images/${imagePath(source)}/tag`, {
      query: { repo, tag: tag || undefined },
    });
    if (res.status >= 400) throw toApiError(res);
  }

  removeImage(
    name: string,
    options: { force?: boolean; noPrune?: boolean } = {},
  ): Promise<DeleteResponseItem[]> {
    return this.json('DELETE', `/images/${imagePath(name)}`, {
      query: { force: options.force || undefined, noprune: options.noPrune || undefined },
    });
  }

  pruneImages(filters: Record<string, string[]>): Promise<ImagesPruneResponse> {
    return this.json('POST', '/images/prune', { query: { filters: encodeFilters(filters) } });
  }

  diskUsage(): Promise<DiskUsage> {
    return this.json('GET', '/system/df');
  }

  /** Uploads an image archive; yields the daemon's JSON messages. */
  loadImages(
    archive: NodeJS.ReadableStream,
    options: { quiet?: boolean; signal?: AbortSignal } = {},
  ): AsyncGenerator<JsonMessage> {
    return this.#messages('POST', '/images/load', {
      query: { quiet: options.quiet ?? false },
      upload: archive,
      contentType: 'application/x-tar',
      signal: options.signal,
    });
  }

  importImage(
    archive: NodeJS.ReadableStream,
    options: {
      repo?: string;
      tag?: string;
      changes?: string[];
      message?: string;
      signal?: AbortSignal;
    },
  ): AsyncGenerator<JsonMessage> {
    const query = new URLSearchParams({ fromSrc: '-' });
    if (options.repo) query.set('repo', options.repo);
    if (options.tag) query.set('tag', options.tag);
    if (options.message) query.set('message', options.message);
    for (const c of options.changes ?? []) query.append('changes', c);
    return this.#messages('POST', `/images/create?${query.toString()}`, {
      upload: archive,
      contentType: 'text/plain',
      signal: options.signal,
    });
  }

  /** `docker pull`: `tag` is a tag, a digest, or empty for every tag. */
  pullImage(
    fromImage: string,
    tag: string,
    options: { platform?: string; auth: string; signal?: AbortSignal },
  ): AsyncGenerator<JsonMessage> {
    return this.#messages('POST', '/images/create', {
      query: { fromImage, tag, platform: options.platform || undefined },
      headers: { 'X-Registry-Auth': options.auth },
      signal: options.signal,
    });
  }

  pushImage(
    name: string,
    tag: string,
    options: { auth: string; signal?: AbortSignal },
  ): AsyncGenerator<JsonMessage> {
    return this.#messages('POST', `/images/${imagePath(name)}/push`, {
      query: { tag: tag || undefined },
      headers: { 'X-Registry-Auth': options.auth },
      signal: options.signal,
    });
  }

  login(credentials: {
    username: string;
    password: string;
    serveraddress: string;
  }): Promise<AuthResponse> {
    return this.json<AuthResponse>('POST', '/auth', { body: credentials });
  }

  searchImages(
    term: string,
    options: { limit?: number; filters?: Record<string, string[]>; auth: string },
  ): Promise<ImageSearchResponseItem[]> {
    return this.json<ImageSearchResponseItem[]>('GET', '/images/search', {
      query: { term, limit: options.limit, filters: encodeFilters(options.filters) },
      headers: { 'X-Registry-Auth': options.auth },
    });
  }

  /** The tar of `docker save`. */
  saveImages(names: readonly string[], signal?: AbortSignal): Promise<IncomingMessage> {
    const query = new URLSearchParams();
    for (const n of names) query.append('names', n);
    return this.stream('GET', `/images/get?${query.toString()}`, { signal });
  }

  async *#messages(
    method: string,
    path: string,
    options: {
      query?: RequestOptions['query'];
      headers?: Record<string, string>;
      upload?: NodeJS.ReadableStream;
      contentType?: string;
      signal?: AbortSignal;
    },
  ): AsyncGenerator<JsonMessage> {
    const res = await this.stream(method, path, options);
    for await (const line of jsonLines(res)) yield JSON.parse(line) as JsonMessage;
  }

  async createContainer(
    body: Record<string, unknown>,
    name?: string,
  ): Promise<ContainerCreateResponse> {
    return this.json('POST', '/containers/create', { query: { name }, body });
  }

  listContainers(
    options: { all?: boolean; size?: boolean; filters?: Record<string, string[]> } = {},
  ): Promise<ContainerSummary[]> {
    return this.json('GET', '/containers/json', {
      query: {
        all: options.all || undefined,
        size: options.size || undefined,
        filters: encodeFilters(options.filters),
      },
    });
  }

  pruneContainers(filters: Record<string, string[]>): Promise<ContainersPruneResponse> {
    return this.json('POST', '/containers/prune', { query: { filters: encodeFilters(filters) } });
  }

  /** `docker diff`: null when nothing changed, as Docker answers. */
  containerChanges(id: string): Promise<ContainerChangeResponseItem[] | null> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/changes`);
  }

  commitContainer(options: {
    container: string;
    repo?: string;
    tag?: string;
    comment?: string;
    author?: string;
    changes?: readonly string[];
    pause?: boolean;
  }): Promise<ContainerCommitResponse> {
    const query = new URLSearchParams({ container: options.container });
    if (options.repo) query.set('repo', options.repo);
    if (options.tag) query.set('tag', options.tag);
    if (options.comment) query.set('comment', options.comment);
    if (options.author) query.set('author', options.author);
    for (const c of options.changes ?? []) query.append('changes', c);
    if (options.pause === false) query.set('pause', '0');
    return this.json('POST', `/commit?${query.toString()}`);
  }

  inspectContainer(id: string, options: { size?: boolean } = {}): Promise<ContainerInspect> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/json`, {
      query: { size: options.size || undefined },
    });
  }

  /** start, stop, kill, ...: a 304 (already so) counts as success, as in the Docker CLI. */
  async containerAction(
    id: string,
    action: 'start' | 'stop' | 'kill' | 'restart' | 'pause' | 'unpause',
    query: RequestOptions['query'] = {},
  ): Promise<void> {
    const res = await this.request('POST', `/containers/${encodeURIComponent(id)}/${action}`, {
      query,
    });
    if (res.status >= 400) throw toApiError(res);
  }

  async removeContainer(
    id: string,
    options: { force?: boolean; volumes?: boolean } = {},
  ): Promise<void> {
    const res = await this.request('DELETE', `/containers/${encodeURIComponent(id)}`, {
      query: { force: options.force || undefined, v: options.volumes || undefined },
    });
    if (res.status >= 400) throw toApiError(res);
  }

  /**
   * Resolves once the daemon has sent the headers; `result` resolves at the condition (without
   * one, the daemon's default: not-running).
   */
  async waitContainer(
    id: string,
    condition: 'not-running' | 'next-exit' | 'removed' | undefined,
    signal?: AbortSignal,
  ): Promise<{ result: Promise<number> }> {
    const res = await this.stream('POST', `/containers/${encodeURIComponent(id)}/wait`, {
      query: { condition },
      signal,
    });
    const result = (async () => {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        StatusCode: number;
        Error?: { Message?: string } | null;
      };
      if (body.Error?.Message) throw new ApiError(500, body.Error.Message);
      return body.StatusCode;
    })();
    return { result };
  }

  /** Hijacks an attach connection; the socket carries the container's output (framed unless tty). */
  attachContainer(id: string, query: RequestOptions['query']): Promise<Duplex> {
    return this.hijack(`/containers/${encodeURIComponent(id)}/attach`, {
      query,
      contentType: 'text/plain',
    });
  }

  /**
   * A request answered with `101 UPGRADED`: the socket then carries raw bytes both ways. Any
   * other status is thrown as an ApiError (with the daemon's message).
   */
  async hijack(
    path: string,
    options: { query?: RequestOptions['query']; body?: unknown; contentType: string },
  ): Promise<Duplex> {
    const prefix = `/v${await this.apiVersion()}`;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) params.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    const qs = params.toString();
    const payload =
      options.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(options.body));
    const { module, base } = requestTarget(this.connection);
    return new Promise((resolve, reject) => {
      const req = module.request({
        ...base,
        method: 'POST',
        path: `${prefix}${path}${qs ? `?${qs}` : ''}`,
        headers: {
          'User-Agent': 'berth-client',
          ...(base.headers as Record<string, string>),
          Connection: 'Upgrade',
          Upgrade: 'tcp',
          'Content-Type': options.contentType,
          'Content-Length': String(payload.length),
        },
      });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          reject(
            toApiError({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          ),
        );
      });
      req.on('error', (err) => reject(this.#connectionError(err)));
      req.end(payload);
    });
  }

  /** `POST /containers/{id}/resize` (or `/exec/{id}/resize`): the terminal's rows and columns. */
  async resize(kind: 'containers' | 'exec', id: string, rows: number, cols: number): Promise<void> {
    const res = await this.request('POST', `/${kind}/${encodeURIComponent(id)}/resize`, {
      query: { h: rows, w: cols },
    });
    if (res.status >= 400) throw toApiError(res);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    const res = await this.request('POST', `/containers/${encodeURIComponent(id)}/rename`, {
      query: { name },
    });
    if (res.status >= 400) throw toApiError(res);
  }

  createExec(container: string, body: ExecCreateRequest): Promise<ExecCreateResponse> {
    return this.json('POST', `/containers/${encodeURIComponent(container)}/exec`, { body });
  }

  /** Starts an exec detached: the daemon answers at once. */
  async startExecDetached(id: string, tty: boolean): Promise<void> {
    const res = await this.request('POST', `/exec/${encodeURIComponent(id)}/start`, {
      body: { Detach: true, Tty: tty },
    });
    if (res.status >= 400) throw toApiError(res);
  }

  /** Starts an exec on a hijacked connection: its output (framed unless tty) and stdin. */
  startExecAttached(id: string, tty: boolean): Promise<Duplex> {
    return this.hijack(`/exec/${encodeURIComponent(id)}/start`, {
      body: { Detach: false, Tty: tty },
      contentType: 'application/json',
    });
  }

  inspectExec(id: string): Promise<ExecInspect> {
    return this.json('GET', `/exec/${encodeURIComponent(id)}/json`);
  }

  containerLogs(
    id: string,
    query: RequestOptions['query'],
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    return this.stream('GET', `/containers/${encodeURIComponent(id)}/logs`, { query, signal });
  }

  /** The container's processes, as `ps` with `psArgs` (the daemon's default: `-ef`) shows them. */
  topContainer(id: string, psArgs?: string): Promise<ContainerTopResponse> {
    return this.json('GET', `/containers/${encodeURIComponent(id)}/top`, {
      query: { ps_args: psArgs || undefined },
    });
  }

  /**
   * Without `stream`, one report (after about a second); with it, one a second until `signal`
   * aborts. The signal ends the response itself: handed to the request, it would also destroy
   * the keep-alive socket after the response, where nobody listens for the error.
   */
  async *containerStats(
    id: string,
    options: { stream: boolean; signal?: AbortSignal },
  ): AsyncGenerator<StatsResponse> {
    const { signal } = options;
    const res = await this.stream('GET', `/containers/${encodeURIComponent(id)}/stats`, {
      query: { stream: options.stream },
    });
    const end = (): void => {
      res.destroy();
    };
    signal?.addEventListener('abort', end);
    try {
      if (signal?.aborted) return;
      for await (const line of jsonLines(res)) yield JSON.parse(line) as StatsResponse;
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    } finally {
      signal?.removeEventListener('abort', end);
      res.destroy();
    }
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, options);
    if (res.status >= 400) throw toApiError(res);
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  /** One request, body read whole. Errors are returned as statuses, not thrown. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    const res = await this.#send(method, path, options);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /** A request whose response is consumed as a stream; error statuses are thrown as ApiError. */
  async stream(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<IncomingMessage> {
    const res = await this.#send(method, path, options);
    if ((res.statusCode ?? 0) >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw toApiError({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks),
      });
    }
    return res;
  }

  async #send(method: string, path: string, options: RequestOptions): Promise<IncomingMessage> {
    const prefix = options.unversioned ? '' : `/v${await this.apiVersion()}`;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v === undefined) continue;
      params.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    }
    const qs = params.toString();
    const { module, base } = requestTarget(this.connection);
    this.#agent ??= new module.Agent({ keepAlive: true });
    const headers: Record<string, string> = {
      'User-Agent': 'berth-client',
      ...(base.headers as Record<string, string>),
      ...options.headers,
    };
    let payload: Buffer | undefined;
    if (options.upload !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/octet-stream';
      headers['Transfer-Encoding'] = 'chunked';
    } else if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    } else if (method === 'POST' || method === 'PUT') {
      headers['Content-Length'] = '0';
    }
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = module.request({
        ...base,
        agent: this.#agent,
        method,
        path: `${prefix}${path}${qs ? `?${qs}` : ''}`,
        headers,
      });
      // The signal aborts the request until it is done, and is let go of then: node's own
      // `signal` option would destroy the kept-alive socket on a later abort, unheard.
      const signal = options.signal;
      if (signal) {
        const abort = (): void => {
          const err = new Error('The operation was aborted');
          err.name = 'AbortError';
          req.destroy(err);
        };
        if (signal.aborted) abort();
        else {
          signal.addEventListener('abort', abort, { once: true });
          req.once('close', () => signal.removeEventListener('abort', abort));
        }
      }
      req.on('response', resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(err.name === 'AbortError' ? err : this.#connectionError(err));
      });
      if (options.upload !== undefined) {
        options.upload.on('error', (err: Error) => req.destroy(err));
        options.upload.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  #connectionError(err: NodeJS.ErrnoException): ConnectionError {
    if (['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH'].includes(err.code ?? ''))
      return new ConnectionError(
        `Cannot connect to the berth daemon at ${this.address}. Is the berth daemon running? (${err.code})`,
      );
    return new ConnectionError(`error during connect to ${this.address}: ${err.message}`);
  }
}

export function toApiError(res: RawResponse): ApiError {
  const text = res.body.toString('utf8');
  if (res.headers['content-type'] === 'application/json') {
    try {
      return new ApiError(res.status, (JSON.parse(text) as ErrorResponse).message);
    } catch {
      // not JSON after all: report the raw body below
    }
  }
  return new ApiError(res.status, text.trim() || `request returned status ${res.status}`);
}
