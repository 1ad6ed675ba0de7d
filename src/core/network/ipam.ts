// Address management: the subnet a new network gets, and the next free address in one.

import { conflict, invalidArgument } from '../errors.js';
import {
  contains,
  formatIp,
  formatSubnet,
  overlaps,
  parseIp,
  parseSubnet,
  size,
  type Subnet,
} from './ipv4.js';

/** Docker's default address pools: 172.17–31.0.0/16, then 192.168.0–240.0/20. */
export function candidateSubnets(): Subnet[] {
  const out: Subnet[] = [];
  for (let b = 17; b <= 31; b++) out.push({ base: ((172 << 24) | (b << 16)) >>> 0, bits: 16 });
  for (let c = 0; c <= 240; c += 16)
    out.push({ base: ((192 << 24) | (168 << 16) | (c << 8)) >>> 0, bits: 20 });
  return out;
}

/**
 * The first candidate that overlaps nothing in use (host routes, other networks), starting
 * at `offset` (daemons sharing a host start at different places so that they rarely race).
 */
export function chooseSubnet(inUse: readonly Subnet[], offset = 0): Subnet | undefined {
  const all = candidateSubnets();
  for (let i = 0; i < all.length; i++) {
    const s = all[(i + offset) % all.length] as Subnet;
    if (!inUse.some((u) => overlaps(u, s))) return s;
  }
  return undefined;
}

/** A network's IPv4 pool as the user gave it (or as chosen), validated. */
export interface Pool {
  readonly subnet: Subnet;
  readonly gateway: number;
  /** Where container addresses come from (--ip-range, --fixed-cidr); the subnet by default. */
  readonly range: Subnet;
}

export function makePool(o: { subnet: string; gateway?: string; ipRange?: string }): Pool {
  const subnet = parseSubnet(o.subnet, 'subnet');
  if (subnet.bits > 30)
    throw invalidArgument(`invalid subnet ${o.subnet}: too small for a network`);
  let gateway = subnet.base + 1;
  if (o.gateway) {
    const g = parseIp(o.gateway);
    if (g === undefined) throw invalidArgument(`invalid gateway address ${o.gateway}`);
    if (!contains(subnet, g)) throw invalidArgument(`no matching subnet for gateway ${o.gateway}`);
    gateway = g;
  }
  let range = subnet;
  if (o.ipRange) {
    range = parseSubnet(o.ipRange, 'ip-range');
    if (!contains(subnet, range.base) || range.bits < subnet.bits)
      throw invalidArgument(`no matching subnet for range ${o.ipRange}`);
  }
  return { subnet, gateway, range };
}

/** Whether `ip` can be a container's address in the pool (not network, broadcast, gateway). */
export function usable(pool: Pool, ip: number): boolean {
  const last = pool.subnet.base + size(pool.subnet) - 1;
  return contains(pool.subnet, ip) && ip !== pool.subnet.base && ip !== last && ip !== pool.gateway;
}

/** The lowest free address of the range, or a conflict when it is full. */
export function nextFree(pool: Pool, used: ReadonlySet<number>): number {
  const first = pool.range.base;
  const count = size(pool.range);
  for (let i = 0; i < count; i++) {
    const ip = first + i;
    if (usable(pool, ip) && !used.has(ip)) return ip;
  }
  throw conflict(
    `no available IPv4 addresses on this network's address pools: ${formatSubnet(pool.subnet)}`,
  );
}

/** A static address (--ip): in the subnet, usable and free. */
export function checkStatic(pool: Pool, text: string, used: ReadonlySet<number>): number {
  const ip = parseIp(text);
  if (ip === undefined) throw invalidArgument(`invalid IPv4 address: ${text}`);
  if (!usable(pool, ip))
    throw invalidArgument(`no configured subnet or ip-range contain the IP address ${text}`);
  if (used.has(ip)) throw conflict(`Address already in use: ${formatIp(ip)}`);
  return ip;
}
