import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CgroupStats } from '../../../core/cgroups/cgroup-stats.js';
import type { ResourceSample } from '../../../core/containers/stats.js';
import { toDockerStats } from './to-docker-stats.js';

const ID = 'b'.repeat(64);

const V1: CgroupStats = {
  version: 1,
  cpu: {
    totalNs: 2000,
    perCpuNs: [1500, 500],
    userNs: 1000,
    systemNs: 700,
    periods: 0,
    throttledPeriods: 0,
    throttledNs: 0,
  },
  memory: {
    usage: 4096,
    maxUsage: 8192,
    failcnt: 0,
    limit: 67108864,
    stat: { total_inactive_file: 1024 },
  },
  pids: { current: 2 },
  blkio: { serviceBytes: [{ major: 8, minor: 0, op: 'Read', value: 512 }], serviced: [] },
};

function sample(cgroup: CgroupStats, read: string, systemCpuNs: number): ResourceSample {
  return { read, cgroup, systemCpuNs, onlineCpus: 2, memoryLimit: 67108864 };
}

describe('toDockerStats', () => {
  it("writes a stopped container's report as Docker's empty stats", () => {
    assert.deepEqual(toDockerStats({ id: ID, name: 'c' }), {
      read: '0001-01-01T00:00:00Z',
      preread: '0001-01-01T00:00:00Z',
      pids_stats: {},
      blkio_stats: {
        io_service_bytes_recursive: null,
        io_serviced_recursive: null,
        io_queue_recursive: null,
        io_service_time_recursive: null,
        io_wait_time_recursive: null,
        io_merged_recursive: null,
        io_time_recursive: null,
        sectors_recursive: null,
      },
      num_procs: 0,
      storage_stats: {},
      cpu_stats: {
        cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
        throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
      },
      precpu_stats: {
        cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
        throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
      },
      memory_stats: {},
      name: '/c',
      id: ID,
    });
  });

  it('maps a v1 sample and the one before it, in Docker field order', () => {
    const out = toDockerStats({
      id: ID,
      name: 'c',
      current: {
        ...sample(V1, '2026-01-01T00:00:01.000Z', 2_000_000),
        networks: new Map([
          [
            'eth0',
            {
              rxBytes: 10,
              rxPackets: 1,
              rxErrors: 0,
              rxDropped: 0,
              txBytes: 20,
              txPackets: 2,
              txErrors: 0,
              txDropped: 0,
            },
          ],
        ]),
      },
      previous: sample(V1, '2026-01-01T00:00:00.000Z', 1_000_000),
    });
    assert.deepEqual(Object.keys(out), [
      'read',
      'preread',
      'pids_stats',
      'blkio_stats',
      'num_procs',
      'storage_stats',
      'cpu_stats',
      'precpu_stats',
      'memory_stats',
      'name',
      'id',
      'networks',
    ]);
    assert.equal(out.preread, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(out.cpu_stats, {
      cpu_usage: {
        total_usage: 2000,
        percpu_usage: [1500, 500],
        usage_in_kernelmode: 700,
        usage_in_usermode: 1000,
      },
      system_cpu_usage: 2_000_000,
      online_cpus: 2,
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    });
    assert.equal(out.precpu_stats.system_cpu_usage, 1_000_000);
    assert.deepEqual(out.memory_stats, {
      usage: 4096,
      max_usage: 8192,
      stats: { total_inactive_file: 1024 },
      limit: 67108864,
    });
    assert.deepEqual(out.pids_stats, { current: 2 });
    assert.deepEqual(out.blkio_stats.io_service_bytes_recursive, [
      { major: 8, minor: 0, op: 'Read', value: 512 },
    ]);
    assert.deepEqual(out.blkio_stats.io_queue_recursive, [], 'v1 lists every counter');
    assert.deepEqual(out.networks, {
      eth0: {
        rx_bytes: 10,
        rx_packets: 1,
        rx_errors: 0,
        rx_dropped: 0,
        tx_bytes: 20,
        tx_packets: 2,
        tx_errors: 0,
        tx_dropped: 0,
      },
    });
  });

  it('leaves out what v2 does not have', () => {
    const v2: CgroupStats = {
      ...V1,
      version: 2,
      cpu: { ...V1.cpu, perCpuNs: undefined },
      memory: { usage: 4096, failcnt: 0, stat: { inactive_file: 1 } },
      pids: { current: 3, limit: 20 },
    };
    const out = toDockerStats({ id: ID, name: 'c', current: sample(v2, 'now', 1) });
    assert.equal('percpu_usage' in out.cpu_stats.cpu_usage, false);
    assert.equal('max_usage' in out.memory_stats, false);
    assert.equal(out.blkio_stats.io_queue_recursive, null);
    assert.deepEqual(out.pids_stats, { current: 3, limit: 20 });
    assert.equal('networks' in out, false, 'no interfaces of its own: no networks');
  });
});
