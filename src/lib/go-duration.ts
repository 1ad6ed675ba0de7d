// Go's time.ParseDuration, which Docker's CLI and daemon apply to --since, --until and the
// prune filters' until: a signed sequence of decimal numbers, each with a unit.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration ("90s", "1h30m", "1.5h") in milliseconds; undefined if it is not one. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!m) return text === '0' ? 0 : undefined;
  let ms = 0;
  for (const part of (m[2] as string).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g))
    ms += Number(part[1]) * (UNIT_MS[part[2] as string] as number);
  return m[1] === '-' ? -ms : ms;
}
