import { invalidArgument } from '../core/errors.js';
import { NO_FILTERS, type FilterArgs } from '../core/filters.js';

/**
 * Decodes the `filters` query parameter: `{"key":{"value":true}}`, or the legacy
 * `{"key":["value"]}`. A malformed value is a 400 that names the key.
 */
export function parseFiltersParam(text: string | null): FilterArgs {
  if (text === null || text.trim() === '') return NO_FILTERS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalidArgument(`invalid filters: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidArgument('invalid filters: expected a JSON object of filter names');
  }
  const out = new Map<string, string[]>();
  for (const [key, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) {
      if (!value.every((v) => typeof v === 'string')) {
        throw invalidArgument(`invalid filters: the values of "${key}" must be strings`);
      }
      out.set(key, [...(value as string[])]);
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      if (!entries.every(([, b]) => typeof b === 'boolean')) {
        throw invalidArgument(`invalid filters: the values of "${key}" must map to booleans`);
      }
      out.set(
        key,
        entries.filter(([, b]) => b).map(([v]) => v),
      );
    } else {
      throw invalidArgument(
        `invalid filters: "${key}" must be an object of values or an array of strings`,
      );
    }
  }
  return out;
}
