const BIGINT_MARK = '\u0000bigint:';

/**
 * JSON.stringify that writes bigint values as plain JSON numbers, digit for digit (Go encodes
 * int64 fields such as an event's timeNano that way; a double cannot hold them exactly).
 */
export function stringifyJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${BIGINT_MARK}${v}` : v,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
