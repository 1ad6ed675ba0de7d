// An entry's metadata from its tar header and PAX records.

import type { Header } from 'tar-stream';
import { entryError } from './paths.js';
import { XATTR_PREFIX } from './pax.js';
import type { Xattr } from './pending.js';

/** Set-user-ID, set-group-ID and sticky: what open and mkdir drop, and chown clears. */
export const SPECIAL_BITS = 0o7000;
export const S_ISGID = 0o2000;

export interface EntryMeta {
  /** Permission and set-ID/sticky bits (0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch (fractional with a PAX mtime). */
  readonly mtime: number;
  readonly xattrs: readonly Xattr[];
}

/** overlayfs's own xattrs describe a layer's representation, not its content: never applied. */
const OVERLAY_XATTRS = 'trusted.overlay.';
/** Names that fit the setfattr/getfattr text format: printable ASCII without `=`. */
const XATTR_NAME = /^[\x21-\x3c\x3e-\x7e]+$/;

export function entryMeta(header: Header, entry: string): EntryMeta {
  const pax = (header as { pax?: Record<string, string> | null }).pax ?? {};
  return {
    mode: (header.mode ?? 0) & 0o7777,
    uid: paxId(pax.uid, header.uid ?? 0, entry),
    gid: paxId(pax.gid, header.gid ?? 0, entry),
    mtime: paxNumber(pax.mtime, (header.mtime?.getTime() ?? 0) / 1000, entry),
    xattrs: paxXattrs(pax, entry),
  };
}

function paxId(value: string | undefined, fallback: number, entry: string): number {
  const id = paxNumber(value, fallback, entry);
  if (!Number.isSafeInteger(id) || id < 0 || id > 0xfffffffe) {
    throw entryError(entry, `has an invalid owner ${id}`);
  }
  return id;
}

function paxNumber(value: string | undefined, fallback: number, entry: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) {
    throw entryError(entry, `has an invalid PAX number ${JSON.stringify(value)}`);
  }
  return number;
}

function paxXattrs(pax: Record<string, string>, entry: string): Xattr[] {
  const xattrs: Xattr[] = [];
  for (const [key, value] of Object.entries(pax)) {
    if (!key.startsWith(XATTR_PREFIX)) continue;
    const name = key.slice(XATTR_PREFIX.length);
    if (!XATTR_NAME.test(name))
      throw entryError(entry, `has an invalid xattr name ${JSON.stringify(name)}`);
    // The values are binary, kept as latin1 strings (see tar-extract.ts).
    if (!name.startsWith(OVERLAY_XATTRS)) xattrs.push([name, Buffer.from(value, 'latin1')]);
  }
  return xattrs;
}
