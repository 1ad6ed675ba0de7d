// Entry names of a layer tar: normalised to a relative path inside the target, or refused.

import { BerthError } from '../errors.js';

/** The error for an entry that must not be applied; its message names the entry. */
export function entryError(name: string, reason: string): BerthError {
  return new BerthError('invalid-argument', `archive entry ${JSON.stringify(name)} ${reason}`);
}

/**
 * Normalises a tar entry name (or the hard link target of the entry `entry`) to a path relative
 * to the target:
 * no leading `./`, no empty or `.` components, no trailing slash. The target itself is ''.
 * Refuses absolute names, any `..` component and NUL bytes.
 */
export function normaliseEntryName(name: string, entry = name): string {
  const subject = name === entry ? '' : `has a link target ${JSON.stringify(name)} that `;
  if (name.includes('\0')) throw entryError(entry, `${subject}contains a NUL byte`);
  if (name.startsWith('/')) throw entryError(entry, `${subject}is an absolute path`);
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '..') throw entryError(entry, `${subject}is outside the target (".." component)`);
    if (part !== '' && part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** Splits a normalised relative path into its parent directory ('' for the top) and its base. */
export function splitPath(rel: string): { readonly parent: string; readonly base: string } {
  const slash = rel.lastIndexOf('/');
  return slash < 0
    ? { parent: '', base: rel }
    : { parent: rel.slice(0, slash), base: rel.slice(slash + 1) };
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * What a `.wh.` entry means: `opaque` (dir hides its lower content), `whiteout` (path is
 * deleted), or `ignored` (other `.wh..wh.` metadata, such as aufs hard-link dirs). Undefined for
 * an ordinary entry.
 */
export type Whiteout =
  | { readonly kind: 'opaque'; readonly dir: string }
  | { readonly kind: 'whiteout'; readonly path: string }
  | { readonly kind: 'ignored' };

export function classifyWhiteout(rel: string, entry: string): Whiteout | undefined {
  const { parent, base } = splitPath(rel);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir: parent };
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return { kind: 'ignored' };
  const deleted = base.slice(WHITEOUT_PREFIX.length);
  if (deleted === '' || deleted === '.' || deleted === '..') {
    throw entryError(entry, 'is a whiteout of no valid name');
  }
  return { kind: 'whiteout', path: parent === '' ? deleted : `${parent}/${deleted}` };
}
