// Reading request bodies field by field: a field of the wrong type is a 400 that names it
// (`Config.Cmd`), unknown fields are ignored as Docker does, absent ones are undefined.

import { invalidArgument } from '../core/errors.js';

export type JsonObject = Record<string, unknown>;

function wrong(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw invalidArgument(`invalid JSON: field ${path} must be ${expected}, got ${got}`);
}

export function asObject(value: unknown, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) wrong(path, 'an object', value);
  return value as JsonObject;
}

export function optString(
  o: JsonObject | undefined,
  key: string,
  path: string,
): string | undefined {
  const v = o?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') wrong(`${path}.${key}`, 'a string', v);
  return v;
}

export function optBool(o: JsonObject | undefined, key: string, path: string): boolean | undefined {
  const v = o?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') wrong(`${path}.${key}`, 'a boolean', v);
  return v;
}

export function optNumber(
  o: JsonObject | undefined,
  key: string,
  path: string,
): number | undefined {
  const v = o?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) wrong(`${path}.${key}`, 'a number', v);
  return v;
}

/** An array of strings; a lone string is accepted as one element (Docker's StrSlice). */
export function optStrings(
  o: JsonObject | undefined,
  key: string,
  path: string,
): string[] | undefined {
  const v = o?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    wrong(`${path}.${key}`, 'an array of strings', v);
  return v as string[];
}

export function optStringMap(
  o: JsonObject | undefined,
  key: string,
  path: string,
): Record<string, string> | undefined {
  const v = asObject(o?.[key], `${path}.${key}`);
  if (v === undefined) return undefined;
  for (const [k, x] of Object.entries(v))
    if (typeof x !== 'string') wrong(`${path}.${key}.${k}`, 'a string', x);
  return v as Record<string, string>;
}

/** `{"80/tcp": {}}`-style sets. */
export function optSet(
  o: JsonObject | undefined,
  key: string,
  path: string,
): Record<string, object> | undefined {
  const v = asObject(o?.[key], `${path}.${key}`);
  if (v === undefined) return undefined;
  for (const [k, x] of Object.entries(v))
    if (typeof x !== 'object' || x === null) wrong(`${path}.${key}.${k}`, 'an object', x);
  return v as Record<string, object>;
}
