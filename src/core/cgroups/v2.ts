// cgroup v2: one directory holds every controller's files.

import {
  parseKeyedValues,
  parseSingleValue,
  readCgroupFile,
  type BlkioEntry,
  type CgroupStats,
} from './cgroup-stats.js';

/** io.stat lines: `8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0`. */
export function parseIoStat(text: string | undefined): {
  serviceBytes: BlkioEntry[];
  serviced: BlkioEntry[];
} {
  const serviceBytes: BlkioEntry[] = [];
  const serviced: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(device ?? '');
    if (!m) continue;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    const values: Record<string, number> = {};
    for (const pair of pairs) {
      const [key, value] = pair.split('=');
      if (key !== undefined && value !== undefined && Number.isFinite(Number(value)))
        values[key] = Number(value);
    }
    serviceBytes.push(
      { major, minor, op: 'read', value: values['rbytes'] ?? 0 },
      { major, minor, op: 'write', value: values['wbytes'] ?? 0 },
    );
    serviced.push(
      { major, minor, op: 'read', value: values['rios'] ?? 0 },
      { major, minor, op: 'write', value: values['wios'] ?? 0 },
    );
  }
  return { serviceBytes, serviced };
}

export async function readCgroupV2(dir: string): Promise<CgroupStats> {
  const [cpuStat, memCurrent, memMax, memStat, memEvents, pidsCurrent, pidsMax, ioStat] =
    await Promise.all(
      [
        'cpu.stat',
        'memory.current',
        'memory.max',
        'memory.stat',
        'memory.events',
        'pids.current',
        'pids.max',
        'io.stat',
      ].map((name) => readCgroupFile(dir, name)),
    );
  const cpu = parseKeyedValues(cpuStat);
  return {
    version: 2,
    cpu: {
      totalNs: (cpu['usage_usec'] ?? 0) * 1000,
      userNs: (cpu['user_usec'] ?? 0) * 1000,
      systemNs: (cpu['system_usec'] ?? 0) * 1000,
      periods: cpu['nr_periods'] ?? 0,
      throttledPeriods: cpu['nr_throttled'] ?? 0,
      throttledNs: (cpu['throttled_usec'] ?? 0) * 1000,
    },
    memory: {
      usage: parseSingleValue(memCurrent) ?? 0,
      failcnt: parseKeyedValues(memEvents)['oom'] ?? 0,
      limit: parseSingleValue(memMax),
      stat: parseKeyedValues(memStat),
    },
    pids: { current: parseSingleValue(pidsCurrent) ?? 0, limit: parseSingleValue(pidsMax) },
    blkio: parseIoStat(ioStat),
  };
}
