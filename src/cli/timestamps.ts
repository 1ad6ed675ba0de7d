// The Docker CLI's GetTimestamp: --since/--until accept a Go duration ("10m", "1h30m", "0s"),
// RFC 3339 ("2026-11-23T00:00:00Z"), or unix seconds, and send unix seconds.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

export function toApiTimestamp(value: string, now = Date.now()): string {
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  const duration = parseGoDuration(value);
  if (duration !== undefined) return String(Math.floor((now - duration) / 1000));
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  const fraction = /\.(\d{1,9})/.exec(value)?.[1] ?? '';
  return `${Math.floor(ms / 1000)}.${fraction.padEnd(9, '0')}`;
}
