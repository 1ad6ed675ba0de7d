import { readFileSync } from 'node:fs';
import { chmod, chown, lstat, unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { hasErrno } from '../core/errors.js';
import { formatHostAddress, type HostAddress } from '../lib/host-address.js';
import type { Logger } from '../lib/logger.js';

export interface TlsFiles {
  readonly verify: boolean;
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

export interface ListenOptions {
  readonly hosts: readonly HostAddress[];
  readonly tls?: TlsFiles;
  readonly socketGroup: { readonly name: string; readonly explicit: boolean };
  readonly logger: Logger;
}

export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export interface BoundListener {
  readonly server: http.Server;
  readonly address: string;
  /** Undoes what binding did (the unix socket file). */
  cleanup(): Promise<void>;
}

/** The first fd systemd passes (SD_LISTEN_FDS_START). */
const LISTEN_FDS_START = 3;

/** File descriptors passed by systemd socket activation, consumed once. */
export function takeActivationFds(
  env: NodeJS.ProcessEnv = process.env,
  pid = process.pid,
): number[] {
  const count = Number.parseInt(env['LISTEN_FDS'] ?? '', 10);
  const forPid = env['LISTEN_PID'];
  delete env['LISTEN_FDS'];
  delete env['LISTEN_PID'];
  delete env['LISTEN_FDNAMES'];
  if (!Number.isInteger(count) || count <= 0) return [];
  if (forPid !== undefined && forPid !== String(pid)) return [];
  return Array.from({ length: count }, (_, i) => LISTEN_FDS_START + i);
}

export function groupId(name: string, groupFile = '/etc/group'): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of readFileSync(groupFile, 'utf8').split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined) return Number(gid);
  }
  return undefined;
}

function createServer(tls: TlsFiles | undefined): http.Server {
  if (!tls) return http.createServer({ keepAliveTimeout: 30_000 });
  let options: https.ServerOptions;
  try {
    options = {
      cert: readFileSync(tls.cert),
      key: readFileSync(tls.key),
      ca: tls.verify ? readFileSync(tls.caCert) : undefined,
      requestCert: tls.verify,
      rejectUnauthorized: tls.verify,
      minVersion: 'TLSv1.2',
      keepAliveTimeout: 30_000,
    };
  } catch (err) {
    throw new ListenError(`could not load the TLS files: ${(err as Error).message}`);
  }
  return https.createServer(options) as unknown as http.Server;
}

function listen(server: http.Server, target: net.ListenOptions | { fd: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      resolve();
    };
    if ('fd' in target) {
      // An inherited socket: Node takes it as a handle object.
      server.listen(target, done);
      return;
    }
    server.listen(target, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Refuses to take over a socket path another process still answers on. */
async function clearStaleSocket(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return;
    throw err;
  }
  if (!stats.isSocket()) throw new ListenError(`${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new ListenError(`another daemon is already listening on ${path}`);
  await unlink(path);
}

async function bindUnix(path: string, options: ListenOptions): Promise<BoundListener> {
  await clearStaleSocket(path);
  // Local sockets are protected by their mode and group; TLS applies to network listeners.
  const server = createServer(undefined);
  await listen(server, { path });
  const cleanup = async (): Promise<void> => {
    await unlink(path).catch((err: unknown) => {
      if (!hasErrno(err, 'ENOENT')) throw err;
    });
  };
  try {
    await chmod(path, 0o660);
    const gid = groupId(options.socketGroup.name);
    if (gid === undefined) {
      if (options.socketGroup.explicit)
        throw new ListenError(`group ${options.socketGroup.name} not found`);
      options.logger.warn(
        `group ${options.socketGroup.name} not found; the socket stays owned by root`,
        { path },
      );
    } else {
      await chown(path, 0, gid);
    }
  } catch (err) {
    server.close();
    await cleanup();
    throw err;
  }
  return { server, address: `unix://${path}`, cleanup };
}

/**
 * Binds every listen address. On any failure, what was already bound is closed and the error
 * says which address failed.
 */
export async function bindListeners(options: ListenOptions): Promise<BoundListener[]> {
  const bound: BoundListener[] = [];
  const activation = options.hosts.some((h) => h.kind === 'fd') ? takeActivationFds() : [];
  try {
    for (const host of options.hosts) {
      const label = formatHostAddress(host);
      try {
        switch (host.kind) {
          case 'unix':
            bound.push(await bindUnix(host.path, options));
            break;
          case 'tcp': {
            const server = createServer(options.tls);
            await listen(server, { host: host.host, port: host.port });
            const addr = server.address() as net.AddressInfo;
            bound.push({
              server,
              address: `tcp://${addr.address}:${addr.port}`,
              cleanup: async () => undefined,
            });
            break;
          }
          case 'fd': {
            const fds =
              host.fd === undefined ? activation : activation.filter((fd) => fd === host.fd);
            if (fds.length === 0) {
              throw new ListenError(
                host.fd === undefined
                  ? 'no sockets found via socket activation: make sure the service was started by systemd'
                  : `too few socket activated files passed in by systemd: fd ${host.fd} was not passed`,
              );
            }
            for (const fd of fds) {
              const server = createServer(options.tls);
              await listen(server, { fd });
              bound.push({ server, address: `fd://${fd}`, cleanup: async () => undefined });
            }
            break;
          }
        }
      } catch (err) {
        throw new ListenError(`cannot listen on ${label}: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    for (const b of bound) b.server.close();
    await Promise.all(bound.map((b) => b.cleanup()));
    throw err;
  }
  return bound;
}
