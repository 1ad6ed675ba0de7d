import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VfsDriver } from '../layers/vfs-driver.js';
import { LayerPairs } from './layer-pairs.js';
import { initLayerId } from './init-layer.js';

// The vfs driver needs no root: layers are plain directories (a child is a copy of its parent).
describe('LayerPairs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-layer-pairs-'));
  const driver = new VfsDriver({ root: dir });
  /** Outcomes of the next createInitLayer calls: true fails one; empty, all succeed. */
  let failures: boolean[] = [];
  const layers = (maxSpares?: number): LayerPairs =>
    new LayerPairs({
      driver,
      createInitLayer: async (id, parent) => {
        if (failures.shift() === true) throw new Error('no space left on device');
        await driver.create(id, parent);
        await writeFile(join(driver.diffPath(id), '.dockerenv'), '');
      },
      ...(maxSpares !== undefined ? { maxSpares } : {}),
    });
  const listed = async (): Promise<string[]> => (await driver.list()).sort();

  before(async () => {
    await driver.init();
    for (const image of ['img1', 'img2']) {
      await driver.create(image, undefined);
      await writeFile(join(driver.diffPath(image), 'from'), image);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out a pair on the parent, and makes the next one ahead', async () => {
    const pool = layers();
    const first = await pool.make('img1');
    assert.equal(await readFile(join(driver.diffPath(first), 'from'), 'utf8'), 'img1');
    assert.equal(await readFile(join(driver.diffPath(first), '.dockerenv'), 'utf8'), '');
    await pool.idle();
    const before = await listed();
    assert.equal(before.length, 2 + 4, 'two images, the first pair and a spare pair');
    const second = await pool.make('img1');
    assert.ok(before.includes(second), 'the second create took the spare');
    assert.ok(before.includes(initLayerId(second)));
    await pool.idle();
    await pool.close();
    assert.deepEqual(
      await listed(),
      ['img1', 'img2', first, second, initLayerId(first), initLayerId(second)].sort(),
    );
    for (const id of [first, second]) {
      await driver.remove(id);
      await driver.remove(initLayerId(id));
    }
  });

  it('drops a spare whose parent is gone, and keeps spares for the most recent images', async () => {
    const pool = layers(1);
    const a = await pool.make('img1');
    await pool.idle();
    const b = await pool.make('img2'); // img2's spare pushes img1's out
    await pool.idle();
    const afterB = await listed();
    assert.equal(afterB.length, 2 + 2 * 2 + 2, 'one spare pair left');
    const spareOf2 = afterB.find(
      (id) => ![a, b, 'img1', 'img2'].includes(id) && !id.endsWith('init'),
    ) as string;
    await driver.create('img3', undefined);
    await pool.make('img3').then(async (c) => {
      await pool.idle();
      await driver.remove('img2'); // the image went; its spare must not be used
      const d = await pool.make('img2').catch((err: unknown) => err);
      assert.ok(d instanceof Error, 'no parent, no layers');
      assert.equal((await listed()).includes(spareOf2), false);
      await pool.close();
      for (const id of [a, b, c]) {
        await driver.remove(id);
        await driver.remove(initLayerId(id));
      }
    });
    assert.deepEqual(await listed(), ['img1', 'img3']);
  });

  it('reports a failure to make the layers; a spare that fails leaves nothing', async () => {
    const pool = layers();
    failures = [true];
    await assert.rejects(pool.make('img1'), /no space left/);
    assert.deepEqual(await listed(), ['img1', 'img3']);
    failures = [false, true]; // the pair, then its spare
    const first = await pool.make('img1');
    await pool.idle();
    const before = await listed();
    assert.deepEqual(before, ['img1', 'img3', first, initLayerId(first)].sort());
    const second = await pool.make('img1');
    assert.equal(before.includes(second), false, 'made on the spot');
    await pool.close();
    for (const id of [first, second]) {
      await driver.remove(id);
      await driver.remove(initLayerId(id));
    }
    assert.deepEqual(await listed(), ['img1', 'img3']);
  });
});
