import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrno, invalidArgument } from '../errors.js';

const LAYER_ID = /^[a-z0-9]{1,64}$/;

/** Names a driver keeps beside its layers (overlay2's `l/` links dir), which no id may take. */
const RESERVED = new Set(['l']);

export function isLayerId(id: string): boolean {
  return LAYER_ID.test(id) && !RESERVED.has(id);
}

/** Layer ids are opaque to the drivers but become path names: [a-z0-9]{1,64}. */
export function assertLayerId(id: string): void {
  if (!isLayerId(id)) throw invalidArgument(`invalid layer id ${JSON.stringify(id)}`);
}

/** The layer ids among the entries of a driver's layer directory. */
export async function listLayerDirs(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => isLayerId(name));
}

/** Whether `dir/<id>` is a layer directory (a bad id never is). */
export async function layerDirExists(dir: string, id: string): Promise<boolean> {
  if (!isLayerId(id)) return false;
  try {
    return (await stat(join(dir, id))).isDirectory();
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
}
