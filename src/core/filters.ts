import { invalidArgument } from './errors.js';

/** Filters as every list endpoint takes them: key → accepted values (OR within a key, AND across). */
export type FilterArgs = ReadonlyMap<string, readonly string[]>;

export const NO_FILTERS: FilterArgs = new Map();

export function checkFilterKeys(filters: FilterArgs, accepted: readonly string[]): void {
  for (const key of filters.keys()) {
    if (!accepted.includes(key)) throw invalidArgument(`Invalid filter '${key}'`);
  }
}

/** `label` filter values: `key` (present) or `key=value` (equal). */
export function matchesLabels(
  values: readonly string[] | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!values || values.length === 0) return true;
  return values.every((v) => {
    const eq = v.indexOf('=');
    if (eq === -1) return Object.hasOwn(labels, v);
    return labels[v.slice(0, eq)] === v.slice(eq + 1);
  });
}
