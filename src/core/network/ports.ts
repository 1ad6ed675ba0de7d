// Published ports: what a container asks for (-p, -P) and what it got.

import { invalidArgument } from '../errors.js';
import { parseIp } from './ipv4.js';

export type Proto = 'tcp' | 'udp' | 'sctp';

/** One `-p` binding as HostConfig.PortBindings holds it. */
export interface PortBinding {
  readonly hostIp: string;
  readonly hostPort: string;
}

/** A port the container publishes, its host port still to choose within [low, high]. */
export interface PortRequest {
  readonly containerPort: number;
  readonly proto: Proto;
  readonly hostIp: string;
  readonly low: number;
  readonly high: number;
}

/** A published port once allocated. */
export interface PortMapping {
  readonly containerPort: number;
  readonly proto: Proto;
  readonly hostIp: string;
  readonly hostPort: number;
}

/** Where ephemeral host ports come from (Linux's default ip_local_port_range). */
export const EPHEMERAL_LOW = 32768;
export const EPHEMERAL_HIGH = 60999;

/** `80/tcp`, `53/udp`, `80` (tcp). */
export function parsePortKey(key: string): { port: number; proto: Proto } {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
  const port = Number(m?.[1]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535)
    throw invalidArgument(`invalid port specification: "${key}"`);
  return { port, proto: (m[2] ?? 'tcp') as Proto };
}

function hostRange(text: string): [number, number] {
  if (text === '') return [EPHEMERAL_LOW, EPHEMERAL_HIGH];
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const low = Number(m?.[1]);
  const high = m?.[2] !== undefined ? Number(m[2]) : low;
  if (!m || low < 0 || high > 65535 || high < low)
    throw invalidArgument(`invalid port specification: "${text}"`);
  return low === 0 ? [EPHEMERAL_LOW, EPHEMERAL_HIGH] : [low, high];
}

/** Checks PortBindings as create receives them (a 400 for bad ports or addresses). */
export function checkPortBindings(
  bindings: Readonly<Record<string, readonly PortBinding[]>>,
): void {
  for (const [key, list] of Object.entries(bindings)) {
    parsePortKey(key);
    for (const b of list) {
      hostRange(b.hostPort);
      if (b.hostIp !== '' && parseIp(b.hostIp) === undefined)
        throw invalidArgument(`invalid IP address: ${b.hostIp}`);
    }
  }
}

/** The ports to publish: the explicit bindings, and with -P every exposed port not bound. */
export function portRequests(
  bindings: Readonly<Record<string, readonly PortBinding[]>>,
  exposed: readonly string[],
  publishAll: boolean,
): PortRequest[] {
  const out: PortRequest[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const { port, proto } = parsePortKey(key);
    for (const b of list.length > 0 ? list : [{ hostIp: '', hostPort: '' }]) {
      const [low, high] = hostRange(b.hostPort);
      out.push({ containerPort: port, proto, hostIp: b.hostIp || '0.0.0.0', low, high });
    }
  }
  if (publishAll)
    for (const key of exposed) {
      if (key in bindings) continue;
      const { port, proto } = parsePortKey(key);
      out.push({
        containerPort: port,
        proto,
        hostIp: '0.0.0.0',
        low: EPHEMERAL_LOW,
        high: EPHEMERAL_HIGH,
      });
    }
  return out;
}

/** Whether two bindings would take the same host port (0.0.0.0 takes it on every address). */
export function clashes(a: PortMapping, b: PortMapping): boolean {
  return (
    a.proto === b.proto &&
    a.hostPort === b.hostPort &&
    (a.hostIp === b.hostIp || a.hostIp === '0.0.0.0' || b.hostIp === '0.0.0.0')
  );
}
