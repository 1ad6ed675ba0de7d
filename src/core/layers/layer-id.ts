import { invalidArgument } from '../errors.js';

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
