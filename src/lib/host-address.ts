// Daemon listen addresses and client host addresses, in Docker's `-H` syntax.

export type HostAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'fd'; readonly fd?: number };

export const DEFAULT_UNIX_SOCKET = '/run/berth.sock';
export const DEFAULT_HTTP_PORT = 2375;
export const DEFAULT_TLS_PORT = 2376;

export class HostAddressError extends Error {
  override readonly name = 'HostAddressError';
}

export function parseHostAddress(
  text: string,
  defaults: { unixSocket?: string; tls?: boolean } = {},
): HostAddress {
  const value = text.trim();
  const unixDefault = defaults.unixSocket ?? DEFAULT_UNIX_SOCKET;
  if (value === '') return { kind: 'unix', path: unixDefault };
  const sep = value.indexOf('://');
  if (sep === -1) {
    if (value.startsWith('/')) return { kind: 'unix', path: value };
    throw new HostAddressError(`Invalid bind address format: ${value}`);
  }
  const scheme = value.slice(0, sep).toLowerCase();
  const rest = value.slice(sep + 3);
  switch (scheme) {
    case 'unix':
      return { kind: 'unix', path: rest === '' ? unixDefault : rest };
    case 'fd': {
      if (rest === '') return { kind: 'fd' };
      if (!/^\d+$/.test(rest)) throw new HostAddressError(`Invalid bind address format: ${value}`);
      return { kind: 'fd', fd: Number(rest) };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      const hostPort = rest.replace(/\/+$/, '');
      if (hostPort.includes('/'))
        throw new HostAddressError(`Invalid bind address format: ${value}`);
      let host = hostPort;
      let portText = '';
      const bracket = /^\[([^\]]+)\](?::(\d*))?$/.exec(hostPort);
      if (bracket) {
        host = bracket[1] as string;
        portText = bracket[2] ?? '';
      } else {
        const colon = hostPort.lastIndexOf(':');
        if (colon !== -1) {
          host = hostPort.slice(0, colon);
          portText = hostPort.slice(colon + 1);
        }
      }
      if (portText !== '' && !/^\d+$/.test(portText)) {
        throw new HostAddressError(`Invalid bind address format: ${value}`);
      }
      const port =
        portText === ''
          ? defaults.tls || scheme === 'https'
            ? DEFAULT_TLS_PORT
            : DEFAULT_HTTP_PORT
          : Number(portText);
      if (port > 65535) throw new HostAddressError(`Invalid bind address format: ${value}`);
      return { kind: 'tcp', host: host === '' ? '0.0.0.0' : host, port };
    }
    default:
      throw new HostAddressError(`Invalid bind address format: ${value}`);
  }
}

export function formatHostAddress(address: HostAddress): string {
  switch (address.kind) {
    case 'unix':
      return `unix://${address.path}`;
    case 'fd':
      return address.fd === undefined ? 'fd://' : `fd://${address.fd}`;
    case 'tcp':
      return `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  }
}
