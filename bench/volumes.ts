// Volume benchmarks, as `name value unit` lines, through the real Docker CLI against berth:
// what a named volume, an anonymous volume (created and removed with --rm) and a bind add to
// `run --rm --network none busybox true` (p50), and a copy-up of 2,000 small files.

import { removeAllContainers } from './leftovers.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../test/helpers/daemon.js';
import { busyboxArchive } from '../test/helpers/image-archive.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);

function docker(host: string, args: string[]): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: host },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function timed(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(host: string, extra: (i: number) => string[]): number {
  docker(host, ['run', '--rm', '--network', 'none', ...extra(-1), 'busybox', 'true']);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++)
    times.push(
      timed(() =>
        docker(host, ['run', '--rm', '--network', 'none', ...extra(i), 'busybox', 'true']),
      ),
    );
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export async function benchVolumes(
  print: (name: string, value: number, unit: string) => void,
): Promise<void> {
  const daemon = await startDaemon();
  const bindDir = mkdtempSync(join(tmpdir(), 'berth-bench-bind-'));
  try {
    const host = daemon.host;
    docker(host, ['load', '-q', '-i', busyboxArchive()]);
    const plain = median(host, () => []);
    print('volumes_run_plain_p50', plain, 'ms');
    print(
      'volumes_run_named_p50',
      median(host, () => ['-v', 'benchvol:/d']),
      'ms',
    );
    print(
      'volumes_run_anonymous_p50',
      median(host, () => ['-v', '/d']),
      'ms',
    );
    print(
      'volumes_run_bind_p50',
      median(host, () => ['-v', `${bindDir}:/d`]),
      'ms',
    );
    docker(host, [
      'run',
      '--name',
      'bench-seed',
      '--network',
      'none',
      'busybox',
      'sh',
      '-c',
      'mkdir /data && cd /data && i=0; while [ $i -lt 2000 ]; do echo $i > f$i; i=$((i+1)); done',
    ]);
    docker(host, ['commit', '--change', 'VOLUME /data', 'bench-seed', 'bench-volimg']);
    docker(host, ['rm', 'bench-seed']);
    const withCopy = timed(() =>
      docker(host, [
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        'bench-copy:/data',
        'bench-volimg',
        'true',
      ]),
    );
    const withoutCopy = timed(() =>
      docker(host, [
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        'bench-copy:/data',
        'bench-volimg',
        'true',
      ]),
    );
    print('volumes_copy_up_2000_files', withCopy - withoutCopy, 'ms');
  } finally {
    removeAllContainers(daemon.host);
    await daemon.cleanup();
    rmSync(bindDir, { recursive: true, force: true });
  }
}
