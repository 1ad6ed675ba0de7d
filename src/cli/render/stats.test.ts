import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsResponse } from '../../types/docker/stats.js';
import { blockIo, cpuPercent, invalidEntry, memoryUsage, statsEntry, statsRow } from './stats.js';

function cpu(total: number, system: number, online = 2): StatsResponse['cpu_stats'] {
  return {
    cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: system,
    online_cpus: online,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function response(patch: Partial<StatsResponse> = {}): StatsResponse {
  return {
    read: '2026-01-01T00:00:01Z',
    preread: '2026-01-01T00:00:00Z',
    pids_stats: { current: 3 },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 8, minor: 0, op: 'Read', value: 1000 },
        { major: 8, minor: 0, op: 'Write', value: 2000 },
        { major: 8, minor: 0, op: 'Total', value: 3000 },
        { major: 8, minor: 16, op: 'read', value: 500 },
      ],
      io_serviced_recursive: [],
      io_queue_recursive: [],
      io_service_time_recursive: [],
      io_wait_time_recursive: [],
      io_merged_recursive: [],
      io_time_recursive: [],
      sectors_recursive: [],
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu(1_500_000_000, 12_000_000_000),
    precpu_stats: cpu(1_000_000_000, 10_000_000_000),
    memory_stats: {
      usage: 2 * 1048576,
      stats: { total_inactive_file: 1048576 },
      limit: 64 * 1048576,
    },
    name: '/web',
    id: 'c'.repeat(64),
    networks: {
      eth0: {
        rx_bytes: 1500,
        rx_packets: 1,
        rx_errors: 0,
        rx_dropped: 0,
        tx_bytes: 648,
        tx_packets: 1,
        tx_errors: 0,
        tx_dropped: 0,
      },
    },
    ...patch,
  };
}

describe('docker stats figures', () => {
  it('computes CPU % from the two samples, scaled by the online CPUs', () => {
    // 0.5 s of 2 s host time, two CPUs: 50%.
    assert.equal(cpuPercent(response()), 50);
  });

  it('is 0% when either counter did not move', () => {
    assert.equal(cpuPercent(response({ precpu_stats: cpu(1_500_000_000, 10_000_000_000) })), 0);
    assert.equal(cpuPercent(response({ cpu_stats: cpu(1_500_000_000, 10_000_000_000) })), 0);
  });

  it('falls back to the per-CPU list without online_cpus', () => {
    const s = response();
    s.cpu_stats.online_cpus = undefined;
    s.cpu_stats.cpu_usage.percpu_usage = [1, 2, 3, 4];
    assert.equal(cpuPercent(s), 100);
  });

  it('leaves inactive file pages out of the memory in use (v1, then v2)', () => {
    assert.equal(memoryUsage({ usage: 100, stats: { total_inactive_file: 30 } }), 70);
    assert.equal(memoryUsage({ usage: 100, stats: { inactive_file: 40 } }), 60);
    assert.equal(memoryUsage({ usage: 100, stats: { total_inactive_file: 300 } }), 100);
    assert.equal(memoryUsage({}), 0);
  });

  it('adds up block reads and writes by the first letter of the op', () => {
    assert.deepEqual(blockIo(response().blkio_stats), { read: 1500, write: 2000 });
  });

  it('renders a row as the Docker CLI does', () => {
    assert.deepEqual(statsRow(statsEntry('web', response()), true), {
      BlockIO: '1.5kB / 2kB',
      CPUPerc: '50.00%',
      Container: 'web',
      ID: 'cccccccccccc',
      MemPerc: '1.56%',
      MemUsage: '1MiB / 64MiB',
      Name: 'web',
      NetIO: '1.5kB / 648B',
      PIDs: '3',
    });
  });

  it('renders a stopped container as zeros and a failed one as dashes', () => {
    const stopped = statsRow(
      statsEntry('old', {
        ...response(),
        pids_stats: {},
        memory_stats: {},
        cpu_stats: cpu(0, 0),
        precpu_stats: cpu(0, 0),
        networks: undefined,
        blkio_stats: { ...response().blkio_stats, io_service_bytes_recursive: null },
      }),
      false,
    );
    assert.equal(stopped.MemUsage, '0B / 0B');
    assert.equal(stopped.CPUPerc, '0.00%');
    assert.equal(stopped.PIDs, '0');
    assert.equal(stopped.ID.length, 64);
    assert.deepEqual(statsRow(invalidEntry('x'), true), {
      BlockIO: '--',
      CPUPerc: '--',
      Container: 'x',
      ID: '',
      MemPerc: '--',
      MemUsage: '-- / --',
      Name: '--',
      NetIO: '--',
      PIDs: '--',
    });
  });
});
