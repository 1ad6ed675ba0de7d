// Encoding one tar entry's header: ustar, preceded by a PAX header when a name, a link target
// or a number does not fit, or when the entry has xattrs (binary-safe, unlike tar-stream's
// pack, which encodes PAX values as UTF-8 strings).

import { encodePaxRecords, XATTR_PREFIX } from './pax.js';
import type { Xattr } from './pending.js';

export const BLOCK_SIZE = 512;

export type TarEntryType =
  'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

export interface TarHeader {
  readonly name: string;
  readonly type: TarEntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Content bytes (regular files only). */
  readonly size?: number;
  /** Seconds since the epoch (whole seconds are written). */
  readonly mtime: number;
  readonly linkname?: string;
  readonly devmajor?: number;
  readonly devminor?: number;
  readonly xattrs?: readonly Xattr[];
}

const TYPEFLAGS: Record<TarEntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};
const MAX_ID = 0o7777777;
const MAX_SIZE = 0o77777777777;

/** The header blocks of one entry (its content and padding follow). */
export function encodeTarHeader(header: TarHeader): Buffer {
  const pax: Array<readonly [string, Buffer]> = [];
  const name = splitUstarName(header.name);
  if (name === undefined) pax.push(['path', Buffer.from(header.name)]);
  const linkname = header.linkname ?? '';
  if (Buffer.byteLength(linkname) > 100) pax.push(['linkpath', Buffer.from(linkname)]);
  const size = header.size ?? 0;
  const mtime = Math.floor(header.mtime);
  for (const [key, value, max] of [
    ['uid', header.uid, MAX_ID],
    ['gid', header.gid, MAX_ID],
    ['size', size, MAX_SIZE],
    ['mtime', mtime, MAX_SIZE],
  ] as const) {
    if (value < 0 || value > max) pax.push([key, Buffer.from(String(value))]);
  }
  for (const [key, value] of header.xattrs ?? []) pax.push([XATTR_PREFIX + key, value]);
  const block = ustarBlock({
    ...header,
    name: name ?? { prefix: '', name: Buffer.from(header.name).subarray(0, 100) },
    linkname: Buffer.from(linkname).subarray(0, 100),
    size,
    mtime,
  });
  if (pax.length === 0) return block;
  const records = encodePaxRecords(pax);
  const paxBlock = ustarBlock({
    name: { prefix: '', name: Buffer.from('PaxHeader') },
    typeflag: 'x',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime,
  });
  return Buffer.concat([paxBlock, records, padding(records.length), block]);
}

/** Zeros up to the next block boundary after `size` bytes. */
export function padding(size: number): Buffer {
  const partial = size % BLOCK_SIZE;
  return Buffer.alloc(partial === 0 ? 0 : BLOCK_SIZE - partial);
}

interface UstarName {
  readonly prefix: string;
  readonly name: Buffer;
}

/** Splits a name into ustar's prefix (155 bytes) and name (100), or undefined if it cannot. */
function splitUstarName(name: string): UstarName | undefined {
  const bytes = Buffer.from(name);
  if (bytes.length <= 100) return { prefix: '', name: bytes };
  for (let slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
    const prefix = name.slice(0, slash);
    const rest = Buffer.from(name.slice(slash + 1));
    if (Buffer.byteLength(prefix) > 155) return undefined;
    if (rest.length <= 100 && rest.length > 0) return { prefix, name: rest };
  }
  return undefined;
}

interface UstarFields {
  readonly name: UstarName;
  readonly type?: TarEntryType;
  readonly typeflag?: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly linkname?: Buffer;
  readonly devmajor?: number;
  readonly devminor?: number;
}

function ustarBlock(fields: UstarFields): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  fields.name.name.copy(block, 0);
  octal(block, 100, 8, fields.mode & 0o7777);
  octal(block, 108, 8, fields.uid);
  octal(block, 116, 8, fields.gid);
  octal(block, 124, 12, fields.size);
  octal(block, 136, 12, fields.mtime);
  block.write(fields.typeflag ?? TYPEFLAGS[fields.type ?? 'file'], 156, 'latin1');
  fields.linkname?.copy(block, 157);
  block.write('ustar\u000000', 257, 'latin1');
  octal(block, 329, 8, fields.devmajor ?? 0);
  octal(block, 337, 8, fields.devminor ?? 0);
  Buffer.from(fields.name.prefix).copy(block, 345);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return block;
}

/** An octal field: digits, then NUL; a value that does not fit (PAX carries it) is written 0. */
function octal(block: Buffer, offset: number, length: number, value: number): void {
  const fits = value >= 0 && value < 8 ** (length - 1);
  block.write(
    `${(fits ? value : 0).toString(8).padStart(length - 1, '0')}\u0000`,
    offset,
    'latin1',
  );
}
