// A daemon killed (SIGKILL) in the middle of a load leaves no image that points at missing data;
// the next start removes the unreferenced files, and the same load then succeeds.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { docker, startDaemon, waitFor } from '../../helpers/daemon.js';
import { buildImage } from '../../helpers/image-archive.js';

function count(dir: string, pattern: RegExp): number {
  return existsSync(dir) ? readdirSync(dir).filter((n) => pattern.test(n)).length : 0;
}

describe('a daemon killed mid-load', () => {
  it('keeps no half image, cleans up at the next start, and loads again', async () => {
    const work = await mkdtemp(join(tmpdir(), 'berth-crash-'));
    const stateDir = await mkdtemp(join(tmpdir(), 'berth-crash-state-'));
    let daemon = await startDaemon({ reuseDir: stateDir });
    try {
      // Five layers of 8 MiB of incompressible data: big enough to be caught in the middle.
      const layers = Array.from({ length: 5 }, (_, i) =>
        Array.from({ length: 8 }, (__, j) => ({
          name: `l${i}/f${j}.bin`,
          content: randomBytes(1024 * 1024),
        })),
      );
      const image = await buildImage(layers, { tags: ['crash:1'] });
      const archive = join(work, 'crash.tar');
      await writeFile(archive, image.archive);
      const layerDir = join(stateDir, 'root', 'overlay2');

      for (const killAfterLayers of [1, 3]) {
        const loading = docker(daemon.host, ['load', '-i', archive], { timeoutMs: 60_000 });
        await waitFor(
          `${killAfterLayers} layer(s) to be written`,
          async () => count(layerDir, /^[0-9a-f]{32}$/) >= killAfterLayers,
          30_000,
          5,
        );
        daemon.process.kill('SIGKILL');
        await daemon.exited;
        const cli = await loading;
        assert.notEqual(cli.code, 0, 'the interrupted load failed for its client');

        daemon = await startDaemon({ reuseDir: stateDir });
        const images = await docker(daemon.host, ['images', '-a', '-q']);
        assert.equal(images.stdout.trim(), '', 'no image was committed');
        assert.equal(count(layerDir, /^[0-9a-f]{32}$/), 0, 'unreferenced layers were removed');
        assert.equal(
          count(join(stateDir, 'root', 'blobs', 'sha256'), /./),
          0,
          'unreferenced blobs were removed',
        );
        assert.equal(
          count(join(stateDir, 'root', 'ingest'), /./),
          0,
          'the ingest area was emptied',
        );
        assert.match(daemon.log(), /start-up removed files no record refers to/);
      }

      const again = await docker(daemon.host, ['load', '-i', archive], { timeoutMs: 60_000 });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(
        (
          await docker(daemon.host, ['image', 'inspect', 'crash:1', '--format', '{{.Id}}'])
        ).stdout.trim(),
        image.id,
      );
      const save = await docker(daemon.host, ['save', '-o', join(work, 'back.tar'), 'crash:1'], {
        timeoutMs: 60_000,
      });
      assert.equal(save.code, 0, save.stderr);
    } finally {
      await daemon.cleanup();
      await rm(work, { recursive: true, force: true });
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
