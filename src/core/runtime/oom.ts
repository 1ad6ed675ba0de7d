// How many times the kernel's OOM killer killed a process of a cgroup: the `oom_kill` counter
// of memory.events (cgroup v2) or memory.oom_control (cgroup v1, kernel 4.13+).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrno } from '../errors.js';

/** The `oom_kill` value of a memory.events / memory.oom_control text; 0 when absent. */
export function parseOomKills(text: string): number {
  const match = /^oom_kill\s+(\d+)$/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * The OOM kill count of `cgroupPath` (e.g. /berth/<id>) under `root` (default /sys/fs/cgroup):
 * the v2 file when the unified hierarchy holds the memory controller, else the v1 one. A cgroup
 * that does not exist counts 0.
 */
export async function oomKills(cgroupPath: string, root = '/sys/fs/cgroup'): Promise<number> {
  const candidates = [
    join(root, cgroupPath, 'memory.events'),
    join(root, 'memory', cgroupPath, 'memory.oom_control'),
  ];
  for (const file of candidates) {
    try {
      return parseOomKills(await readFile(file, 'utf8'));
    } catch (err) {
      if (!hasErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
    }
  }
  return 0;
}
