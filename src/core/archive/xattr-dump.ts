// The text format of `getfattr -d -e hex` and `setfattr --restore`: a `# file: <path>` line,
// `name=0x<hex>` lines, a blank line. Paths are escaped with backslash-octal (`\012`).

import type { Xattr } from './pending.js';

/** One file's block for `setfattr --restore`. */
export function formatXattrBlock(path: string, xattrs: readonly Xattr[]): string {
  const lines = xattrs.map(([name, value]) => `${name}=0x${value.toString('hex')}\n`);
  return `# file: ${escapePath(path)}\n${lines.join('')}\n`;
}

/** Escapes every byte that is not printable ASCII (and backslash) as `\ooo`. */
export function escapePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path)) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** Undoes escapePath (and getfattr's quoting). */
export function unescapePath(text: string): string {
  const bytes: number[] = [];
  const raw = Buffer.from(text);
  for (let i = 0; i < raw.length; i++) {
    const octal = raw[i] === 0x5c ? /^[0-7]{3}/.exec(raw.toString('latin1', i + 1, i + 4)) : null;
    if (octal !== null) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(raw[i] ?? 0);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses getfattr's dump, line by line, into a map from path to its xattrs. */
export class XattrDumpParser {
  readonly files = new Map<string, Xattr[]>();
  #current: Xattr[] | undefined;

  line(line: string): void {
    if (line.startsWith('# file: ')) {
      this.#current = [];
      this.files.set(unescapePath(line.slice('# file: '.length)), this.#current);
      return;
    }
    if (line === '' || this.#current === undefined) return;
    const equals = line.indexOf('=');
    const name = unescapePath(equals < 0 ? line : line.slice(0, equals));
    const value = equals < 0 ? '' : line.slice(equals + 1);
    this.#current.push([name, decodeValue(value)]);
  }
}

function decodeValue(value: string): Buffer {
  if (value.startsWith('0x')) return Buffer.from(value.slice(2), 'hex');
  if (value.startsWith('0s')) return Buffer.from(value.slice(2), 'base64');
  if (value.startsWith('"') && value.endsWith('"'))
    return Buffer.from(unescapePath(value.slice(1, -1)));
  return Buffer.from(value);
}
