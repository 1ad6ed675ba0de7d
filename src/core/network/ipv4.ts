// IPv4 addresses and subnets as numbers: parsing, formatting, containment, overlap.

import { invalidArgument } from '../errors.js';

/** A subnet: its first address and prefix length (`10.1.0.0/16` → base, bits 16). */
export interface Subnet {
  readonly base: number;
  readonly bits: number;
}

export function parseIp(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return (
    (((parts[0] ?? 0) << 24) |
      ((parts[1] ?? 0) << 16) |
      ((parts[2] ?? 0) << 8) |
      (parts[3] ?? 0)) >>>
    0
  );
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** `a.b.c.d/n` with the address kept as given (`--bip 10.0.0.1/24`). */
export function parseCidr(text: string): { ip: number; bits: number } | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIp(m[1] as string);
  const bits = Number(m[2]);
  if (ip === undefined || bits > 32) return undefined;
  return { ip, bits };
}

/** A subnet from CIDR text; the host bits are cleared (Docker reports the network address). */
export function parseSubnet(text: string, what = 'subnet'): Subnet {
  const c = parseCidr(text);
  if (!c) throw invalidArgument(`invalid ${what}: ${text}`);
  return { base: (c.ip & mask(c.bits)) >>> 0, bits: c.bits };
}

export function formatSubnet(s: Subnet): string {
  return `${formatIp(s.base)}/${s.bits}`;
}

export function size(s: Subnet): number {
  return 2 ** (32 - s.bits);
}

export function contains(s: Subnet, ip: number): boolean {
  return (ip & mask(s.bits)) >>> 0 === s.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const bits = Math.min(a.bits, b.bits);
  return (a.base & mask(bits)) >>> 0 === (b.base & mask(bits)) >>> 0;
}

/** Docker's MAC for an address: 02:42 and the address's four bytes. */
export function macOf(ip: number): string {
  return [
    '02',
    '42',
    ...[ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].map((b) =>
      b.toString(16).padStart(2, '0'),
    ),
  ].join(':');
}
