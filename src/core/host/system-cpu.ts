// The host's CPU time, as container stats compare a container's usage against it.

import { readFile } from 'node:fs/promises';

/** /proc/stat counts USER_HZ ticks, which Linux fixes at 100 a second for user space. */
const NS_PER_TICK = 10_000_000;

export interface SystemCpu {
  /** user + nice + system + idle + iowait + irq + softirq of all CPUs, in nanoseconds. */
  readonly totalNs: number;
  /** The CPUs /proc/stat lists (`cpuN` lines): the online ones. */
  readonly onlineCpus: number;
}

export function parseProcStat(text: string): SystemCpu {
  let totalNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === 'cpu') {
      // The first seven counters; steal and guest time are left out, as Docker does.
      const ticks = fields.slice(1, 8).reduce((sum, v) => sum + (Number(v) || 0), 0);
      totalNs = ticks * NS_PER_TICK;
    } else if (/^cpu\d+$/.test(fields[0] ?? '')) {
      onlineCpus++;
    }
  }
  return { totalNs, onlineCpus };
}

export async function readSystemCpu(): Promise<SystemCpu> {
  return parseProcStat(await readFile('/proc/stat', 'utf8'));
}
