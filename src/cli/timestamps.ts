// The Docker CLI's GetTimestamp: --since/--until accept a Go duration ("10m", "1h30m", "0s"),
// RFC 3339 ("2026-11-23T00:00:00Z"), or unix seconds, and send unix seconds.

import { parseGoDuration } from '../lib/go-duration.js';

export function toApiTimestamp(value: string, now = Date.now()): string {
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  const duration = parseGoDuration(value);
  if (duration !== undefined) return String(Math.floor((now - duration) / 1000));
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  const fraction = /\.(\d{1,9})/.exec(value)?.[1] ?? '';
  return `${Math.floor(ms / 1000)}.${fraction.padEnd(9, '0')}`;
}
