// The tar parser (tar-stream), made binary-safe for xattrs, and tolerant of a tar that ends
// right after its last entry (no end-of-archive blocks, even no padding of the last block).

import { Transform, type TransformCallback } from 'node:stream';
import tarStream, { type Extract, type Header } from 'tar-stream';
import { decodePaxRecords, XATTR_PREFIX } from './pax.js';

const BLOCK = 512;

/** The parts of tar-stream's Extract (3.2) that the binary-safe PAX decoding hooks into. */
interface ExtractInternals {
  _header: { readonly type: string } | null;
  _pax: Record<string, string> | null;
  _paxGlobal: Record<string, string> | null;
  _decodeLongHeader(this: ExtractInternals, data: Buffer): void;
}

/**
 * A tar-stream extractor whose entries' `header.pax['SCHILY.xattr.<name>']` hold the raw
 * bytes of each xattr as a latin1 string (`Buffer.from(value, 'latin1')` gives them back):
 * tar-stream decodes every PAX value as UTF-8, which corrupts binary values such as
 * security.capability.
 */
export function createTarExtract(): Extract {
  const extract = tarStream.extract();
  const internals = extract as unknown as ExtractInternals;
  const decodeLongHeader = internals._decodeLongHeader;
  if (typeof decodeLongHeader !== 'function') {
    throw new Error('tar-stream has changed: its PAX decoding cannot be made binary-safe');
  }
  internals._decodeLongHeader = function (data: Buffer): void {
    decodeLongHeader.call(this, data);
    const type = this._header?.type;
    const pax =
      type === 'pax-header' ? this._pax : type === 'pax-global-header' ? this._paxGlobal : null;
    if (pax === null) return;
    for (const [key, value] of decodePaxRecords(data)) {
      if (key.startsWith(XATTR_PREFIX)) pax[key] = value.toString('latin1');
    }
  };
  return extract;
}

/**
 * Counts the bytes of a tar stream and, at its end, pads the last block with zeros so that a
 * tar whose last entry's data is not padded still parses. `contentEnd` is the real length,
 * set at the end: an entry whose data goes past it was truncated, not padded (see
 * `isTruncated`).
 */
export class TarEndPadding extends Transform {
  #length = 0;
  #contentEnd: number | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#length += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#contentEnd = this.#length;
    const partial = this.#length % BLOCK;
    callback(null, partial === 0 ? undefined : Buffer.alloc(BLOCK - partial));
  }

  /** True if the entry's data (read completely) was partly made of padding. */
  isTruncated(header: Header): boolean {
    const offset = (header as { byteOffset?: unknown }).byteOffset;
    if (this.#contentEnd === undefined || typeof offset !== 'number') return false;
    return offset + (header.size ?? 0) > this.#contentEnd;
  }
}
