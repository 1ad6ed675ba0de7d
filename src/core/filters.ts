import { parseGoDuration } from '../lib/go-duration.js';
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

/**
 * The `label` and `label!` filters of the prune endpoints: every `label` value matches, and
 * not every `label!` value does (Docker's MatchKVList on each).
 */
export function matchesPruneLabels(
  filters: FilterArgs,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!matchesLabels(filters.get('label'), labels)) return false;
  const not = filters.get('label!') ?? [];
  return not.length === 0 || !matchesLabels(not, labels);
}

/**
 * The prune endpoints' `until` filter as a time in milliseconds since the epoch (undefined
 * without one): a Go duration back from `now`, unix seconds, or an RFC 3339 time or date.
 */
export function pruneCutoff(filters: FilterArgs, now = Date.now()): number | undefined {
  const values = filters.get('until') ?? [];
  if (values.length === 0) return undefined;
  if (values.length > 1) throw invalidArgument('more than one until filter specified');
  const text = values[0] as string;
  const duration = text === '0' ? undefined : parseGoDuration(text);
  if (duration !== undefined) return now - duration;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time))
    throw invalidArgument(`failed to parse value as time or duration: ${JSON.stringify(text)}`);
  return time;
}
