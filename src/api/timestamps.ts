import { invalidArgument } from '../core/errors.js';

/**
 * Parses a `since`/`until` query value to nanoseconds since the epoch: unix seconds
 * ("1795393663"), seconds with a fraction ("1795393663.000000001"), or RFC 3339.
 */
export function parseTimestampParam(name: string, value: string | null): bigint | undefined {
  if (value === null || value === '') return undefined;
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix) {
    const fraction = (unix[2] ?? '').padEnd(9, '0');
    return BigInt(unix[1] as string) * 1_000_000_000n + BigInt(fraction === '' ? '0' : fraction);
  }
  const rfc = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(
    value,
  );
  if (rfc) {
    const ms = Date.parse(`${rfc[1]}${rfc[3]}`);
    if (!Number.isNaN(ms)) {
      return BigInt(ms) * 1_000_000n + BigInt((rfc[2] ?? '').padEnd(9, '0') || '0');
    }
  }
  throw invalidArgument(
    `invalid value for ${name}: ${JSON.stringify(value)} is not a unix timestamp or RFC 3339 time`,
  );
}
