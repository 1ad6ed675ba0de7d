// Container benchmarks, as `name value unit` lines, through the real Docker CLI against berth
// and, given REF_DOCKER_HOST, against a reference Docker in the same run: `run --rm --network
// none busybox true` latency (p50/p90), 50 containers started 8 at a time, `exec true` latency,
// `logs` of a 100k-line container; and the memory each running container costs (its conmon's
// RSS; no other process stays per container).

import { removeAllContainers } from './leftovers.js';
import { execFile, execFileSync } from 'node:child_process';
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

/** `docker` without blocking the event loop, for the concurrent start benchmark. */
function dockerAsync(host: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      args,
      { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8' },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Starts `count` containers, `concurrency` at a time; returns the wall time and their ids. */
async function startMany(
  host: string,
  count: number,
  concurrency: number,
): Promise<{ ms: number; ids: string[] }> {
  const ids: string[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        ids.push(
          (
            await dockerAsync(host, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000'])
          ).trim(),
        );
      }
    }),
  );
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, ids };
}

interface EngineFigures {
  readonly runP50: number;
  readonly runP90: number;
  readonly start50: number;
  readonly execP50: number;
  readonly execP90: number;
  readonly logs100k: number;
}

/** The figures of one engine (berth or the reference), each measured the same way. */
async function measure(host: string): Promise<EngineFigures> {
  const run = runLatencies(host);
  const many = await startMany(host, 50, 8);
  docker(host, ['rm', '-f', ...many.ids]);
  const box = docker(host, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000']).trim();
  docker(host, ['exec', box, 'true']);
  const exec = Array.from({ length: RUNS }, () => timed(() => docker(host, ['exec', box, 'true'])));
  exec.sort((a, b) => a - b);
  const chatty = docker(host, [
    'run',
    '-d',
    '--network',
    'none',
    'busybox',
    'seq',
    '1',
    '100000',
  ]).trim();
  docker(host, ['wait', chatty]);
  const logs = Array.from({ length: 3 }, () =>
    timed(() => {
      const out = execFileSync('docker', ['logs', chatty], {
        env: { ...process.env, DOCKER_HOST: host },
        maxBuffer: 64 * 1024 * 1024,
      });
      if (!out.toString().endsWith('100000\n')) throw new Error('logs: incomplete output');
    }),
  ).sort((a, b) => a - b);
  docker(host, ['rm', '-f', box, chatty]);
  return {
    runP50: percentile(run, 50),
    runP90: percentile(run, 90),
    start50: many.ms,
    execP50: percentile(exec, 50),
    execP90: percentile(exec, 90),
    logs100k: logs[1] as number,
  };
}

export async function benchContainers(
  print: (name: string, value: number, unit: string) => void,
): Promise<void> {
  const daemon = await startDaemon();
  try {
    docker(daemon.host, ['load', '-q', '-i', busyboxArchive()]);
    const berth = await measure(daemon.host);
    const show = (prefix: string, f: EngineFigures): void => {
      print(`${prefix}_run_rm_true_p50`, f.runP50, 'ms');
      print(`${prefix}_run_rm_true_p90`, f.runP90, 'ms');
      print(`${prefix}_start_50_concurrency_8`, f.start50, 'ms');
      print(`${prefix}_exec_true_p50`, f.execP50, 'ms');
      print(`${prefix}_exec_true_p90`, f.execP90, 'ms');
      print(`${prefix}_logs_100k_lines`, f.logs100k, 'ms');
    };
    show('berth', berth);
    const ref = process.env['REF_DOCKER_HOST'];
    if (ref) {
      docker(ref, ['load', '-q', '-i', busyboxArchive()]);
      const reference = await measure(ref);
      show('ref', reference);
      print('ratio_run_rm_true_p50', berth.runP50 / reference.runP50, 'x');
      print('ratio_start_50_concurrency_8', berth.start50 / reference.start50, 'x');
      print('ratio_exec_true_p50', berth.execP50 / reference.execP50, 'x');
      print('ratio_logs_100k_lines', berth.logs100k / reference.logs100k, 'x');
    }
    const ids = Array.from({ length: 5 }, () =>
      docker(daemon.host, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000']).trim(),
    );
    const monitors = monitorsOf(ids);
    const perContainer = monitors.reduce((s, p) => s + rssKiB(p), 0) / 1024 / ids.length;
    print('berth_rss_per_running_container', perContainer, 'MiB');
    docker(daemon.host, ['rm', '-f', ...ids]);
  } finally {
    removeAllContainers(daemon.host);
    await daemon.cleanup();
  }
}
