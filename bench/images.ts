// Image benchmarks, as `name value unit` lines:
// - loading a synthetic 200 MB, 5-layer image, against plain `tar -x` of the same layers (the
//   physical floor) and, given REF_DOCKER_HOST, against a reference Docker's `docker load`;
// - the overlay mount of a read-write layer on a 100-layer image.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Overlay2Driver } from '../src/core/layers/overlay2-driver.js';
import { startDaemon } from '../test/helpers/daemon.js';
import { buildImage, layerTar, type LayerEntry } from '../test/helpers/image-archive.js';

const LAYERS = 5;
const FILES_PER_LAYER = 400;
const FILE_SIZE = 100 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchImageLoad(
  print: (name: string, value: number, unit: string) => void,
): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'berth-bench-images-'));
  const daemon = await startDaemon();
  try {
    const layers: LayerEntry[][] = Array.from({ length: LAYERS }, (_, l) =>
      Array.from({ length: FILES_PER_LAYER }, (__, f) => ({
        name: `layer${l}/dir${f % 20}/file${f}.bin`,
        content: randomBytes(FILE_SIZE),
      })),
    );
    const image = await buildImage(layers, { tags: ['bench/load:1'] });
    const archive = join(work, 'image.tar');
    await writeFile(archive, image.archive);
    const mb = image.archive.length / 1e6;
    print('image_archive_size', mb, 'MB');

    // The floor: tar -x of each layer tar, with a sync, as the engine must make it durable too.
    const tars = await Promise.all(layers.map((l) => layerTar(l)));
    const floorRuns: number[] = [];
    for (let run = 0; run < 3; run++) {
      const dir = join(work, `floor${run}`);
      floorRuns.push(
        await timed(async () => {
          for (const [i, tar] of tars.entries()) {
            const target = join(dir, String(i));
            await mkdir(target, { recursive: true });
            execFileSync('tar', ['-x', '-C', target], { input: tar, maxBuffer: 1 << 30 });
          }
          execFileSync('sync');
        }),
      );
      await rm(dir, { recursive: true, force: true });
    }
    const floor = median(floorRuns);
    print('tar_x_floor_200mb_5layers', floor, 'ms');

    const loadRuns: number[] = [];
    for (let run = 0; run < 3; run++) {
      loadRuns.push(
        await timed(async () => {
          for await (const m of daemon.client.loadImages(createReadStream(archive), {
            quiet: true,
          })) {
            if (m.errorDetail) throw new Error(m.errorDetail.message);
          }
        }),
      );
      await daemon.client.removeImage('bench/load:1');
    }
    const load = median(loadRuns);
    print('berth_load_200mb_5layers', load, 'ms');
    print('ratio_berth_load_vs_tar_x', load / floor, 'x');

    const ref = process.env['REF_DOCKER_HOST'];
    if (ref) {
      const refRuns: number[] = [];
      for (let run = 0; run < 3; run++) {
        refRuns.push(
          await timed(
            () =>
              void execFileSync('docker', ['load', '-q', '-i', archive], {
                env: { ...process.env, DOCKER_HOST: ref },
              }),
          ),
        );
        execFileSync('docker', ['rmi', 'bench/load:1'], {
          env: { ...process.env, DOCKER_HOST: ref },
        });
      }
      const refLoad = median(refRuns);
      print('ref_load_200mb_5layers', refLoad, 'ms');
      print('ratio_berth_load_vs_ref', load / refLoad, 'x');
    }
  } finally {
    await daemon.cleanup();
    await rm(work, { recursive: true, force: true });
  }
}

export async function benchOverlayMount(
  print: (name: string, value: number, unit: string) => void,
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-bench-overlay-'));
  const driver = new Overlay2Driver({ root });
  try {
    await driver.init();
    let parent: string | undefined;
    for (let i = 0; i < 100; i++) {
      const id = `layer${i}`;
      await driver.create(id, parent);
      await writeFile(join(driver.diffPath(id), `f${i}`), String(i));
      parent = id;
    }
    await driver.create('rw', parent);
    const mounts: number[] = [];
    const unmounts: number[] = [];
    for (let run = 0; run < 10; run++) {
      mounts.push(await timed(async () => void (await driver.mount('rw'))));
      unmounts.push(await timed(() => driver.unmount('rw')));
    }
    print('overlay_mount_100_layers', median(mounts), 'ms');
    print('overlay_unmount_100_layers', median(unmounts), 'ms');
  } finally {
    await driver.cleanup();
    await rm(root, { recursive: true, force: true });
  }
}
