// Network interface counters of a network namespace, from /proc/<pid>/net/dev.

import { readFile } from 'node:fs/promises';
import { hasErrno } from '../errors.js';

export interface InterfaceCounters {
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDropped: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDropped: number;
}

/**
 * Each interface's counters, by name. The two header lines are skipped; after `name:` come
 * 8 receive columns (bytes packets errs drop fifo frame compressed multicast) and 8 transmit.
 */
export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const out = new Map<string, InterfaceCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === '' || v.length < 16 || v.some((n) => !Number.isFinite(n))) continue;
    const at = (i: number): number => v[i] ?? 0;
    out.set(name, {
      rxBytes: at(0),
      rxPackets: at(1),
      rxErrors: at(2),
      rxDropped: at(3),
      txBytes: at(8),
      txPackets: at(9),
      txErrors: at(10),
      txDropped: at(11),
    });
  }
  return out;
}

/** The counters of the network namespace `pid` is in; undefined when the process is gone. */
export async function readNetDev(pid: number): Promise<Map<string, InterfaceCounters> | undefined> {
  try {
    return parseNetDev(await readFile(`/proc/${pid}/net/dev`, 'utf8'));
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ESRCH', 'EINVAL')) return undefined;
    throw err;
  }
}
