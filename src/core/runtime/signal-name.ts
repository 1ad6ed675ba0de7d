// Signal names and numbers as `docker kill --signal` and `docker stop` accept them: "SIGTERM",
// "TERM", "term", "15", 15, and the real-time forms "SIGRTMIN+3" / "RTMAX-1". Numbers are
// Linux x86/arm's (the host berth runs on); node's os.constants.signals supplies them.

import { constants } from 'node:os';
import { invalidArgument } from '../errors.js';

const SIGNALS = constants.signals as Readonly<Record<string, number>>;
/** Linux's real-time range as glibc exposes it (SIGRTMIN 34 .. SIGRTMAX 64). */
const SIGRTMIN = 34;
const SIGRTMAX = 64;

/**
 * The signal number for a name or number; throws invalid-argument (Docker's wording:
 * `Invalid signal: X`) for anything else, including 0 and numbers above SIGRTMAX.
 */
export function parseSignal(signal: string | number): number {
  if (typeof signal === 'number') {
    if (Number.isInteger(signal) && signal > 0 && signal <= SIGRTMAX) return signal;
    throw invalidArgument(`Invalid signal: ${signal}`);
  }
  const text = signal.trim();
  if (/^\d+$/.test(text)) return parseSignal(Number(text));
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const known = SIGNALS[name];
  if (known !== undefined && known > 0) return known;
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (rt) {
    const base = rt[1] === 'MIN' ? SIGRTMIN : SIGRTMAX;
    const offset = Number(rt[3] ?? 0) * (rt[2] === '-' ? -1 : 1);
    const number = base + offset;
    if (number >= SIGRTMIN && number <= SIGRTMAX) return number;
  }
  throw invalidArgument(`Invalid signal: ${signal}`);
}

/** "SIGTERM" for 15; "SIGRTMIN+3" in the real-time range; the number as text otherwise. */
export function signalName(signal: number): string {
  for (const [name, number] of Object.entries(SIGNALS)) {
    if (number === signal) return name;
  }
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
    return signal === SIGRTMIN ? 'SIGRTMIN' : `SIGRTMIN+${signal - SIGRTMIN}`;
  }
  return String(signal);
}
