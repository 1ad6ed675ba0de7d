import type { BlkioEntry } from '../../../core/cgroups/cgroup-stats.js';
import type { ResourceSample, StatsReport } from '../../../core/containers/stats.js';
import type {
  BlkioStatEntry,
  BlkioStats,
  CpuStats,
  MemoryStats,
  NetworkStats,
  StatsResponse,
} from '../../../types/docker/stats.js';

/** Go's zero time, which Docker writes for a reading that was not taken. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function entries(list: readonly BlkioEntry[]): BlkioStatEntry[] {
  return list.map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value }));
}

function toBlkio(sample: ResourceSample | undefined): BlkioStats {
  const blkio = sample?.cgroup.blkio;
  // v1 lists every counter (empty when the kernel lacks it); v2 has only the first two.
  const other = sample?.cgroup.version === 1 ? [] : null;
  return {
    io_service_bytes_recursive: blkio ? entries(blkio.serviceBytes) : null,
    io_serviced_recursive: blkio ? entries(blkio.serviced) : null,
    io_queue_recursive: other,
    io_service_time_recursive: other,
    io_wait_time_recursive: other,
    io_merged_recursive: other,
    io_time_recursive: other,
    sectors_recursive: other,
  };
}

function toCpu(sample: ResourceSample | undefined): CpuStats {
  const cpu = sample?.cgroup.cpu;
  const stats: CpuStats = {
    cpu_usage: {
      total_usage: cpu?.totalNs ?? 0,
      ...(cpu?.perCpuNs ? { percpu_usage: [...cpu.perCpuNs] } : {}),
      usage_in_kernelmode: cpu?.systemNs ?? 0,
      usage_in_usermode: cpu?.userNs ?? 0,
    },
    throttling_data: {
      periods: cpu?.periods ?? 0,
      throttled_periods: cpu?.throttledPeriods ?? 0,
      throttled_time: cpu?.throttledNs ?? 0,
    },
  };
  if (sample === undefined) return stats;
  return {
    cpu_usage: stats.cpu_usage,
    system_cpu_usage: sample.systemCpuNs,
    online_cpus: sample.onlineCpus,
    throttling_data: stats.throttling_data,
  };
}

function toMemory(sample: ResourceSample | undefined): MemoryStats {
  if (sample === undefined) return {};
  const m = sample.cgroup.memory;
  const out: MemoryStats = {};
  if (m.usage) out.usage = m.usage;
  if (m.maxUsage) out.max_usage = m.maxUsage;
  if (Object.keys(m.stat).length > 0) out.stats = { ...m.stat };
  if (m.failcnt) out.failcnt = m.failcnt;
  if (sample.memoryLimit) out.limit = sample.memoryLimit;
  return out;
}

function toNetworks(sample: ResourceSample | undefined): Record<string, NetworkStats> | undefined {
  if (sample?.networks === undefined) return undefined;
  const out: Record<string, NetworkStats> = {};
  for (const [name, n] of sample.networks) {
    out[name] = {
      rx_bytes: n.rxBytes,
      rx_packets: n.rxPackets,
      rx_errors: n.rxErrors,
      rx_dropped: n.rxDropped,
      tx_bytes: n.txBytes,
      tx_packets: n.txPackets,
      tx_errors: n.txErrors,
      tx_dropped: n.txDropped,
    };
  }
  return out;
}

/** A stats report as Docker's stats JSON: zeros (and zero times) for what was not read. */
export function toDockerStats(report: StatsReport): StatsResponse {
  const { current, previous } = report;
  const pids = current?.cgroup.pids;
  const networks = toNetworks(current);
  return {
    read: current?.read ?? ZERO_TIME,
    preread: previous?.read ?? ZERO_TIME,
    pids_stats: {
      ...(pids?.current ? { current: pids.current } : {}),
      ...(pids?.limit ? { limit: pids.limit } : {}),
    },
    blkio_stats: toBlkio(current),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: toCpu(current),
    precpu_stats: toCpu(previous),
    memory_stats: toMemory(current),
    name: `/${report.name}`,
    id: report.id,
    ...(networks ? { networks } : {}),
  };
}
