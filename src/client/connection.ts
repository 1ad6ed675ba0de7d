import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import {
  DEFAULT_UNIX_SOCKET,
  formatHostAddress,
  parseHostAddress,
  type HostAddress,
} from '../lib/host-address.js';

export interface ClientTlsOptions {
  /** Verify the daemon's certificate against caCert. */
  readonly verify: boolean;
  readonly caCert?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface ConnectionOptions {
  readonly host: HostAddress;
  readonly tls?: ClientTlsOptions;
}

export interface HostSelection {
  /** -H/--host values; the first wins, as in the Docker CLI. */
  readonly flagHosts?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly tls?: boolean;
}

/** -H, then BERTH_HOST, then DOCKER_HOST, then the default socket. */
export function selectHost(selection: HostSelection = {}): HostAddress {
  const env = selection.env ?? process.env;
  const candidates = [selection.flagHosts?.[0], env['BERTH_HOST'], env['DOCKER_HOST']];
  const text =
    candidates.find((h) => h !== undefined && h !== '') ?? `unix://${DEFAULT_UNIX_SOCKET}`;
  return parseHostAddress(text, { tls: selection.tls });
}

export function describeHost(host: HostAddress): string {
  return formatHostAddress(host);
}

/** Node request options that reach the daemon over its unix socket, TCP, or TCP+TLS. */
export function requestTarget(options: ConnectionOptions): {
  module: typeof http | typeof https;
  base: http.RequestOptions & https.RequestOptions;
} {
  const { host, tls } = options;
  if (host.kind === 'unix') {
    return {
      module: http,
      base: { socketPath: host.path, headers: { Host: 'api.moby.localhost' } },
    };
  }
  if (host.kind === 'fd')
    throw new Error('fd:// is a daemon listen address; a client cannot connect to it');
  if (!tls) return { module: http, base: { host: host.host, port: host.port } };
  const read = (p?: string): Buffer | undefined => (p ? readFileSync(p) : undefined);
  return {
    module: https,
    base: {
      host: host.host,
      port: host.port,
      ca: tls.verify ? read(tls.caCert) : undefined,
      cert: read(tls.cert),
      key: read(tls.key),
      rejectUnauthorized: tls.verify,
      servername: isIP(host.host) === 0 ? host.host : undefined,
    },
  };
}
