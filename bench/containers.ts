// Container benchmarks, as `name value unit` lines: `docker run --rm --network none busybox
// true` latency (p50/p90) through the real Docker CLI against berth and, given REF_DOCKER_HOST,
// against a reference Docker in the same run; and the memory each running container costs
// (its conmon's RSS; no other process stays per container).

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { startDaemon } from '../test/helpers/daemon.js';
import { busyboxArchive } from '../test/helpers/image-archive.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);

function percentile(sorted: number[], p: number): number {
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ] as number;
}

function docker(host: string, args: string[]): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: host },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function runLatencies(host: string): number[] {
  docker(host, ['run', '--rm', '--network', 'none', 'busybox', 'true']);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    docker(host, ['run', '--rm', '--network', 'none', 'busybox', 'true']);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

function monitorsOf(ids: readonly string[]): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.startsWith('/usr/bin/conmon') && ids.some((id) => cmd.includes(id)))
        pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export async function benchContainers(
  print: (name: string, value: number, unit: string) => void,
): Promise<void> {
  const daemon = await startDaemon();
  try {
    docker(daemon.host, ['load', '-q', '-i', busyboxArchive()]);
    const berth = runLatencies(daemon.host);
    print('berth_run_rm_true_p50', percentile(berth, 50), 'ms');
    print('berth_run_rm_true_p90', percentile(berth, 90), 'ms');
    const ref = process.env['REF_DOCKER_HOST'];
    if (ref) {
      docker(ref, ['load', '-q', '-i', busyboxArchive()]);
      const reference = runLatencies(ref);
      print('ref_run_rm_true_p50', percentile(reference, 50), 'ms');
      print('ref_run_rm_true_p90', percentile(reference, 90), 'ms');
      print('ratio_run_rm_true_p50', percentile(berth, 50) / percentile(reference, 50), 'x');
    }
    const ids = Array.from({ length: 5 }, () =>
      docker(daemon.host, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000']).trim(),
    );
    const monitors = monitorsOf(ids);
    const perContainer = monitors.reduce((s, p) => s + rssKiB(p), 0) / 1024 / ids.length;
    print('berth_rss_per_running_container', perContainer, 'MiB');
    docker(daemon.host, ['rm', '-f', ...ids]);
  } finally {
    await daemon.cleanup();
  }
}
