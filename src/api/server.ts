import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import findMyWay, { type HTTPVersion, type Instance } from 'find-my-way';
import type { Job, JobRegistry } from '../core/jobs.js';
import type { Logger } from '../lib/logger.js';
import { API_VERSION, splitVersionPrefix, unsupportedVersionMessage } from './api-version.js';
import { writeError, writeUpgradeError } from './errors.js';
import { sendJson } from './http.js';
import type { Route, RouteContext, UpgradeContext } from './route.js';
import type { Duplex } from 'node:stream';
import { BerthError, invalidArgument } from '../core/errors.js';

export interface ApiHandlerOptions {
  readonly logger: Logger;
  readonly jobs: JobRegistry;
  readonly routes: readonly Route[];
  /** Requests wait for this before they are answered (readiness, S1.7). */
  readonly ready: Promise<void>;
  readonly serverHeader: string;
  readonly experimental: boolean;
  readonly corsHeader?: string;
}

type RequestInput =
  | { readonly kind: 'http'; readonly ctx: Omit<RouteContext, 'job'> }
  | { readonly kind: 'upgrade'; readonly ctx: Omit<UpgradeContext, 'job'> };

interface Store {
  readonly job: Job<RequestInput, void>;
  readonly route: Route;
}

/**
 * The HTTP edge: version prefix, routing, each request run as its route's job, errors as JSON.
 * It is attached to any number of listening servers (unix, tcp+TLS, fd://).
 */
export class ApiHandler {
  readonly #router: Instance<HTTPVersion.V1>;
  readonly #servers = new Set<Server>();

  constructor(private readonly options: ApiHandlerOptions) {
    this.#router = findMyWay({ ignoreTrailingSlash: true, caseSensitive: true });
    for (const route of options.routes) {
      const job = options.jobs.register<RequestInput, void>({
        name: route.job,
        kind: route.kind,
        handler: (jobContext, input) => {
          if (input.kind === 'http') return route.handle({ ...input.ctx, job: jobContext });
          if (!route.upgrade) throw invalidArgument('this endpoint cannot be hijacked');
          return route.upgrade({ ...input.ctx, job: jobContext });
        },
      });
      const store: Store = { job, route };
      this.#router.on([...route.methods], route.path, () => undefined, store);
    }
  }

  attach(server: Server): void {
    this.#servers.add(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.#handle(req, res);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.#handleUpgrade(req, socket, head);
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  #commonHeaders(res: ServerResponse): void {
    res.setHeader('Api-Version', API_VERSION);
    res.setHeader('Docker-Experimental', String(this.options.experimental));
    res.setHeader('Ostype', 'linux');
    res.setHeader('Server', this.options.serverHeader);
    if (this.options.corsHeader) {
      res.setHeader('Access-Control-Allow-Origin', this.options.corsHeader);
      res.setHeader(
        'Access-Control-Allow-Headers',
        'Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth',
      );
      res.setHeader('Access-Control-Allow-Methods', 'HEAD, GET, POST, DELETE, PUT, OPTIONS');
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let gone = false;
    let cancelJob: (() => void) | undefined;
    res.on('close', () => {
      if (res.writableFinished) return;
      gone = true;
      cancelJob?.();
    });
    try {
      await this.options.ready;
      this.#commonHeaders(res);
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const pathname = q === -1 ? target : target.slice(0, q);
      const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
      const { version, path } = splitVersionPrefix(pathname);
      const unsupported = unsupportedVersionMessage(version);
      if (unsupported) throw invalidArgument(unsupported);
      if (req.method === 'OPTIONS' && this.options.corsHeader) {
        res.writeHead(200);
        res.end();
        return;
      }
      const found = this.#router.find(req.method as 'GET', path);
      if (!found) {
        sendJson(res, 404, { message: 'page not found' });
        return;
      }
      const { job } = found.store as Store;
      await job.run(
        { kind: 'http', ctx: { req, res, params: found.params, query, apiVersion: version } },
        {
          onCancel: (cancel) => {
            if (gone) cancel();
            else cancelJob = cancel;
          },
        },
      );
    } catch (err) {
      if (gone) {
        res.destroy();
        return;
      }
      writeError(res, err, this.options.logger);
    }
  }

  async #handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let gone = false;
    let cancelJob: (() => void) | undefined;
    socket.on('close', () => {
      gone = true;
      cancelJob?.();
    });
    socket.on('error', () => socket.destroy());
    try {
      await this.options.ready;
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const { version, path } = splitVersionPrefix(q === -1 ? target : target.slice(0, q));
      const unsupported = unsupportedVersionMessage(version);
      if (unsupported) throw invalidArgument(unsupported);
      const found = this.#router.find(req.method as 'POST', path);
      if (!found || !(found.store as Store).route.upgrade)
        throw new BerthError('not-found', 'page not found');
      const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
      await (found.store as Store).job.run(
        {
          kind: 'upgrade',
          ctx: { req, socket, head, params: found.params, query, apiVersion: version },
        },
        {
          onCancel: (cancel) => {
            if (gone) cancel();
            else cancelJob = cancel;
          },
        },
      );
    } catch (err) {
      if (gone) return;
      writeUpgradeError(socket, err, this.options.logger);
    }
  }

  /** Stops accepting connections and ends idle keep-alive ones; busy ones finish their request. */
  stopListening(): void {
    for (const server of this.#servers) {
      server.close();
      server.closeIdleConnections();
    }
  }

  /** Ends every connection still open (after the jobs have drained). */
  closeAll(): void {
    for (const server of this.#servers) server.closeAllConnections();
  }
}
