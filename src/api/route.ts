import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { JobContext, JobKind } from '../core/jobs.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** What a route handler gets: the request, its parsed parts, and the job it runs as. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: URLSearchParams;
  /** The API version the client asked for (its /vX.Y/ prefix, else the newest). */
  readonly apiVersion: string;
  readonly job: JobContext;
}

/** A hijacked connection (`Upgrade: tcp`): the handler answers 101 itself, then owns the socket. */
export interface UpgradeContext {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: URLSearchParams;
  readonly apiVersion: string;
  readonly job: JobContext;
}

export interface Route {
  readonly methods: readonly HttpMethod[];
  readonly path: string;
  /** The engine job this route runs as. */
  readonly job: string;
  readonly kind?: JobKind;
  handle(ctx: RouteContext): Promise<void>;
  /** For routes Docker clients hijack (attach, exec start): the `Upgrade` request. */
  upgrade?(ctx: UpgradeContext): Promise<void>;
}
