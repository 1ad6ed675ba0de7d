import type { BlkioStats, MemoryStats, StatsResponse } from '../../types/docker/stats.js';
import { bytesSize } from './units.js';
import { humanSize, shortId } from './table.js';

// `docker stats` figures, computed from the daemon's JSON as the Docker CLI computes them.

/** One container's row: numbers, or `invalid` when its stats could not be had. */
export interface StatsEntry {
  /** What the user named it by (or its short ID when listing all). */
  readonly container: string;
  readonly id: string;
  /** Without the leading `/`; empty when unknown. */
  readonly name: string;
  readonly cpuPercent: number;
  readonly memory: number;
  readonly memoryLimit: number;
  readonly memoryPercent: number;
  readonly netRx: number;
  readonly netTx: number;
  readonly blockRead: number;
  readonly blockWrite: number;
  readonly pids: number;
  readonly invalid: boolean;
}

/**
 * The container's share of the host's CPU time since the previous sample, scaled to the
 * number of CPUs (200% is two CPUs busy). 0 without an earlier sample.
 */
export function cpuPercent(s: StatsResponse): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Memory in use, page cache that can be dropped (inactive files) left out. */
export function memoryUsage(m: MemoryStats): number {
  const usage = m.usage ?? 0;
  const v1 = m.stats?.['total_inactive_file'];
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = m.stats?.['inactive_file'] ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

/** Bytes read and written: the entries whose op starts with r or w (v1 `Read`, v2 `read`). */
export function blockIo(b: BlkioStats): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of b.io_service_bytes_recursive ?? []) {
    const op = e.op.charAt(0).toLowerCase();
    if (op === 'r') read += e.value;
    else if (op === 'w') write += e.value;
  }
  return { read, write };
}

export function statsEntry(container: string, s: StatsResponse): StatsEntry {
  const memory = memoryUsage(s.memory_stats);
  const memoryLimit = s.memory_stats.limit ?? 0;
  const io = blockIo(s.blkio_stats);
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    netRx += n.rx_bytes;
    netTx += n.tx_bytes;
  }
  return {
    container,
    id: s.id,
    name: s.name.replace(/^\//, ''),
    cpuPercent: cpuPercent(s),
    memory,
    memoryLimit,
    memoryPercent: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    netRx,
    netTx,
    blockRead: io.read,
    blockWrite: io.write,
    pids: s.pids_stats.current ?? 0,
    invalid: false,
  };
}

/** The row of a container whose stats could not be read: dashes, as the Docker CLI shows. */
export function invalidEntry(container: string, id = '', name = ''): StatsEntry {
  return {
    container,
    id,
    name,
    cpuPercent: 0,
    memory: 0,
    memoryLimit: 0,
    memoryPercent: 0,
    netRx: 0,
    netTx: 0,
    blockRead: 0,
    blockWrite: 0,
    pids: 0,
    invalid: true,
  };
}

/** The template fields of a row (`--format`), in the order `{{json .}}` prints them. */
export interface StatsRow {
  BlockIO: string;
  CPUPerc: string;
  Container: string;
  ID: string;
  MemPerc: string;
  MemUsage: string;
  Name: string;
  NetIO: string;
  PIDs: string;
}

export const STATS_HEADERS: StatsRow = {
  BlockIO: 'BLOCK I/O',
  CPUPerc: 'CPU %',
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  MemPerc: 'MEM %',
  MemUsage: 'MEM USAGE / LIMIT',
  Name: 'NAME',
  NetIO: 'NET I/O',
  PIDs: 'PIDS',
};

export const DEFAULT_STATS_FORMAT =
  'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

const percent = (v: number): string => `${v.toFixed(2)}%`;

export function statsRow(e: StatsEntry, truncate: boolean): StatsRow {
  const dash = (text: string): string => (e.invalid ? '--' : text);
  return {
    BlockIO: dash(`${humanSize(e.blockRead)} / ${humanSize(e.blockWrite)}`),
    CPUPerc: dash(percent(e.cpuPercent)),
    Container: e.container,
    ID: truncate ? shortId(e.id) : e.id,
    MemPerc: dash(percent(e.memoryPercent)),
    MemUsage: e.invalid ? '-- / --' : `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`,
    Name: e.name !== '' ? e.name : '--',
    NetIO: dash(`${humanSize(e.netRx)} / ${humanSize(e.netTx)}`),
    PIDs: dash(String(e.pids)),
  };
}
