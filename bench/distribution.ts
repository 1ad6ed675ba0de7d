// Distribution benchmarks, as `name value unit` lines: pulling a synthetic 200 MB, 5-layer
// image from a loopback docker-registry, against the floor (a plain HTTP download of the same
// layer blobs piped into `tar -x`, then sync), and pushing it to an empty registry. Given
// REF_DOCKER_HOST, a reference Docker pulls and pushes the same image in the same run.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../test/helpers/daemon.js';
import type { LayerEntry } from '../test/helpers/image-archive.js';
import { pushRawImage } from '../test/helpers/registry-content.js';
import { startRegistry } from '../test/helpers/registry.js';

const LAYERS = 5;
const FILES_PER_LAYER = 400;
const FILE_SIZE = 100 * 1024;
const RUNS = 3;
const ANONYMOUS = Buffer.from('{}').toString('base64url');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function drain(
  messages: AsyncIterable<{ errorDetail?: { message: string } }>,
): Promise<void> {
  for await (const m of messages) if (m.errorDetail) throw new Error(m.errorDetail.message);
}

export async function benchDistribution(
  print: (name: string, value: number, unit: string) => void,
): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-dist-'));
  const registry = await startRegistry();
  let daemon: TestDaemon | undefined;
  const ref = process.env['REF_DOCKER_HOST'];
  const refDocker = (args: string[]): string =>
    execFileSync('docker', args, {
      env: { ...process.env, DOCKER_HOST: ref },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
  try {
    const layers: LayerEntry[][] = Array.from({ length: LAYERS }, (_, l) =>
      Array.from({ length: FILES_PER_LAYER }, (__, f) => ({
        name: `layer${l}/dir${f % 20}/file${f}.bin`,
        content: randomBytes(FILE_SIZE),
      })),
    );
    const image = await pushRawImage(registry.host, 'bench/pull', '1', {
      layers: layers.map((entries) => ({ entries, compression: 'none' as const })),
    });
    const name = `${registry.host}/bench/pull:1`;
    const sizes = image.layerDigests.map(
      (d) =>
        Number(
          execFileSync('curl', ['-sI', `http://${registry.host}/v2/bench/pull/blobs/${d}`], {
            encoding: 'utf8',
          }).match(/content-length:\s*(\d+)/i)?.[1] ?? 0,
        ) || 0,
    );
    const mb = sizes.reduce((a, b) => a + b, 0) / 1e6;
    print('dist_image_size', mb, 'MB');

    // The floor: each blob over plain HTTP straight into tar -x, then sync.
    const floorRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const dir = join(work, `floor${run}`);
      floorRuns.push(
        await timed(() => {
          for (const [i, digest] of image.layerDigests.entries()) {
            const target = join(dir, String(i));
            execFileSync('sh', [
              '-c',
              `mkdir -p "$2" && curl -sf "$1" | tar -x -C "$2"`,
              'floor',
              `http://${registry.host}/v2/bench/pull/blobs/${digest}`,
              target,
            ]);
          }
          execFileSync('sync');
        }),
      );
      await rm(dir, { recursive: true, force: true });
    }
    const floor = median(floorRuns);
    print('dist_floor_http_tar_x', floor, 'ms');

    daemon = await startDaemon();
    const d = daemon;
    const pullRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      pullRuns.push(
        await timed(() =>
          drain(d.client.pullImage(`${registry.host}/bench/pull`, '1', { auth: ANONYMOUS })),
        ),
      );
      if (run < RUNS - 1) await d.client.removeImage(name);
    }
    const pull = median(pullRuns);
    print('berth_pull_200mb_5layers', pull, 'ms');
    print('berth_pull_throughput', mb / (pull / 1000), 'MB/s');
    print('ratio_berth_pull_vs_floor', pull / floor, 'x');

    // Push into a fresh registry each run (nothing to skip, nothing to mount).
    const pushRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const target = await startRegistry();
      try {
        const pushed = `${target.host}/bench/push:1`;
        await d.client.tagImage(name, `${target.host}/bench/push`, '1');
        pushRuns.push(
          await timed(() =>
            drain(d.client.pushImage(`${target.host}/bench/push`, '1', { auth: ANONYMOUS })),
          ),
        );
        await d.client.removeImage(pushed);
      } finally {
        await target.stop();
      }
    }
    const push = median(pushRuns);
    print('berth_push_200mb_5layers', push, 'ms');
    print('berth_push_throughput', mb / (push / 1000), 'MB/s');

    if (ref) {
      const refPulls: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        refPulls.push(await timed(() => void refDocker(['pull', '-q', name])));
        if (run < RUNS - 1) refDocker(['rmi', name]);
      }
      const refPull = median(refPulls);
      print('ref_pull_200mb_5layers', refPull, 'ms');
      print('ratio_berth_pull_vs_ref', pull / refPull, 'x');
      const refPushes: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const target = await startRegistry();
        try {
          const pushed = `${target.host}/bench/push:1`;
          refDocker(['tag', name, pushed]);
          refPushes.push(await timed(() => void refDocker(['push', '-q', pushed])));
          refDocker(['rmi', pushed]);
        } finally {
          await target.stop();
        }
      }
      const refPush = median(refPushes);
      print('ref_push_200mb_5layers', refPush, 'ms');
      print('ratio_berth_push_vs_ref', push / refPush, 'x');
      refDocker(['rmi', name]);
    }
  } finally {
    await daemon?.cleanup();
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
}
