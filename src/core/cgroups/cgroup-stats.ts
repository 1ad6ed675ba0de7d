// What a cgroup says about its processes, the same shape for cgroup v1 and v2. Times are in
// nanoseconds, sizes in bytes. Fields a version does not have are left undefined.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrno } from '../errors.js';

/** One device's counter of one kind (v1: `Read`, `Write`, `Sync`...; v2: `read`, `write`). */
export interface BlkioEntry {
  readonly major: number;
  readonly minor: number;
  readonly op: string;
  readonly value: number;
}

export interface CgroupStats {
  readonly version: 1 | 2;
  readonly cpu: {
    readonly totalNs: number;
    /** v1 only (cpuacct.usage_percpu). */
    readonly perCpuNs?: readonly number[];
    readonly userNs: number;
    readonly systemNs: number;
    readonly periods: number;
    readonly throttledPeriods: number;
    readonly throttledNs: number;
  };
  readonly memory: {
    readonly usage: number;
    /** v1 only. */
    readonly maxUsage?: number;
    /** v1: memory.failcnt; v2: the oom count of memory.events. */
    readonly failcnt: number;
    /** Undefined when unlimited. */
    readonly limit?: number;
    /** memory.stat as it is (v1 has `total_inactive_file`, v2 `inactive_file`). */
    readonly stat: Readonly<Record<string, number>>;
  };
  readonly pids: { readonly current: number; readonly limit?: number };
  readonly blkio: {
    readonly serviceBytes: readonly BlkioEntry[];
    readonly serviced: readonly BlkioEntry[];
  };
}

/** A cgroup file's text, or undefined when this kernel or hierarchy does not have it. */
export async function readCgroupFile(
  dir: string | undefined,
  name: string,
): Promise<string | undefined> {
  if (dir === undefined) return undefined;
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTSUP', 'EOPNOTSUPP')) return undefined;
    throw err;
  }
}

/** A file holding one number; `max` (no limit) and a missing file are undefined. */
export function parseSingleValue(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (value === undefined || value === '' || value === 'max') return undefined;
  const n = Number(value.split(/\s+/)[0]);
  return Number.isFinite(n) ? n : undefined;
}

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat, memory.events). */
export function parseKeyedValues(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [key, value, extra] = line.trim().split(/\s+/);
    if (key === undefined || key === '' || value === undefined || extra !== undefined) continue;
    const n = Number(value);
    if (Number.isFinite(n)) out[key] = n;
  }
  return out;
}

/** The numbers of cgroup.procs (or tasks): one per line. */
export function parsePidList(text: string | undefined): number[] {
  const out: number[] = [];
  for (const line of (text ?? '').split('\n')) {
    const n = Number.parseInt(line.trim(), 10);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}
