// cgroup v1: each controller in its own hierarchy (cpu and cpuacct may share one).

import type { V1Controller } from './cgroup-paths.js';
import {
  parseKeyedValues,
  parseSingleValue,
  readCgroupFile,
  type BlkioEntry,
  type CgroupStats,
} from './cgroup-stats.js';

/** cpuacct.stat counts USER_HZ ticks, which Linux fixes at 100 a second for user space. */
const NS_PER_TICK = 10_000_000;

/** The memory limit v1 reports for "no limit": a page-rounded 2^63-1. Anything that big is none. */
const V1_UNLIMITED = 2 ** 62;

/**
 * blkio lines: `8:0 Read 4096` per device and op, and a closing `Total N` without a device
 * (skipped: it has none to name).
 */
export function parseBlkioV1(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+)\s+(\S+)\s+(\d+)$/.exec(line.trim());
    if (!m) continue;
    out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3] as string, value: Number(m[4]) });
  }
  return out;
}

/**
 * The first of the blkio files this kernel has: CFQ's recursive counters (gone with the legacy
 * block layer), else the throttle policy's, which every blkio hierarchy keeps.
 */
async function readBlkio(dir: string | undefined, kind: string): Promise<BlkioEntry[]> {
  for (const name of [
    `blkio.${kind}_recursive`,
    `blkio.throttle.${kind}_recursive`,
    `blkio.throttle.${kind}`,
  ]) {
    const text = await readCgroupFile(dir, name);
    if (text !== undefined) return parseBlkioV1(text);
  }
  return [];
}

export async function readCgroupV1(
  dirs: Readonly<Partial<Record<V1Controller, string>>>,
): Promise<CgroupStats> {
  const cpuacct = dirs.cpuacct ?? dirs.cpu;
  const [usage, perCpu, cpuacctStat, cpuStat] = await Promise.all([
    readCgroupFile(cpuacct, 'cpuacct.usage'),
    readCgroupFile(cpuacct, 'cpuacct.usage_percpu'),
    readCgroupFile(cpuacct, 'cpuacct.stat'),
    readCgroupFile(dirs.cpu, 'cpu.stat'),
  ]);
  const [memUsage, memMax, memFailcnt, memLimit, memStat] = await Promise.all([
    readCgroupFile(dirs.memory, 'memory.usage_in_bytes'),
    readCgroupFile(dirs.memory, 'memory.max_usage_in_bytes'),
    readCgroupFile(dirs.memory, 'memory.failcnt'),
    readCgroupFile(dirs.memory, 'memory.limit_in_bytes'),
    readCgroupFile(dirs.memory, 'memory.stat'),
  ]);
  const [pidsCurrent, pidsMax] = await Promise.all([
    readCgroupFile(dirs.pids, 'pids.current'),
    readCgroupFile(dirs.pids, 'pids.max'),
  ]);
  const [serviceBytes, serviced] = await Promise.all([
    readBlkio(dirs.blkio, 'io_service_bytes'),
    readBlkio(dirs.blkio, 'io_serviced'),
  ]);
  const ticks = parseKeyedValues(cpuacctStat);
  const throttling = parseKeyedValues(cpuStat);
  const limit = parseSingleValue(memLimit);
  const perCpuNs = (perCpu ?? '')
    .trim()
    .split(/\s+/)
    .filter((v) => v !== '')
    .map(Number);
  return {
    version: 1,
    cpu: {
      totalNs: parseSingleValue(usage) ?? 0,
      perCpuNs: perCpuNs.length > 0 ? perCpuNs : undefined,
      userNs: (ticks['user'] ?? 0) * NS_PER_TICK,
      systemNs: (ticks['system'] ?? 0) * NS_PER_TICK,
      periods: throttling['nr_periods'] ?? 0,
      throttledPeriods: throttling['nr_throttled'] ?? 0,
      throttledNs: throttling['throttled_time'] ?? 0,
    },
    memory: {
      usage: parseSingleValue(memUsage) ?? 0,
      maxUsage: parseSingleValue(memMax) ?? 0,
      failcnt: parseSingleValue(memFailcnt) ?? 0,
      limit: limit !== undefined && limit < V1_UNLIMITED ? limit : undefined,
      stat: parseKeyedValues(memStat),
    },
    pids: { current: parseSingleValue(pidsCurrent) ?? 0, limit: parseSingleValue(pidsMax) },
    blkio: { serviceBytes, serviced },
  };
}
