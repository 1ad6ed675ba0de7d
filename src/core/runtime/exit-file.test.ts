import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExitWatcher, parseExitFile, readExitFile } from './exit-file.js';

describe('parseExitFile', () => {
  it('reads the status conmon writes', () => {
    assert.equal(parseExitFile('0'), 0);
    assert.equal(parseExitFile('143'), 143);
    assert.equal(parseExitFile('-1'), -1);
    assert.equal(parseExitFile('7\n'), 7);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'x', '1.5', '1 2']) {
      assert.throws(() => parseExitFile(bad), { kind: 'internal' }, bad);
    }
  });
});

describe('ExitWatcher', () => {
  const ID = 'b'.repeat(64);

  async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'berth-exit-'));
    try {
      await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('resolves at once for a file that exists', () =>
    withDir(async (dir) => {
      await writeFile(join(dir, ID), '5');
      assert.equal(await readExitFile(dir, ID), 5);
      assert.equal(await new ExitWatcher(dir).wait(ID), 5);
    }));

  it('wakes on a file renamed into place, as conmon writes it', () =>
    withDir(async (dir) => {
      // A long poll: only the watch can make this fast.
      const watcher = new ExitWatcher(dir, 60_000);
      const started = Date.now();
      const waiting = watcher.wait(ID, { signal: AbortSignal.timeout(5000) });
      const other = watcher.wait('c'.repeat(64), { signal: AbortSignal.timeout(5000) });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(watcher.size, 2);
      await writeFile(join(dir, `${ID}.ABC123`), '137');
      await rename(join(dir, `${ID}.ABC123`), join(dir, ID));
      assert.equal(await waiting, 137);
      assert.ok(Date.now() - started < 2000);
      await writeFile(join(dir, 'c'.repeat(64)), '0');
      assert.equal(await other, 0);
      assert.equal(watcher.size, 0);
    }));

  it('falls back to the poll when there is no directory to watch yet', async () => {
    const dir = join(tmpdir(), `berth-exit-missing-${process.pid}-${Date.now()}`);
    try {
      const waiting = new ExitWatcher(dir, 20).wait(ID, { signal: AbortSignal.timeout(5000) });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await import('node:fs/promises').then((fs) => fs.mkdir(dir));
      await writeFile(join(dir, ID), '2');
      assert.equal(await waiting, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects when aborted, and when the monitor is gone without a file', () =>
    withDir(async (dir) => {
      const watcher = new ExitWatcher(dir, 20);
      const controller = new AbortController();
      const waiting = watcher.wait(ID, { signal: controller.signal });
      controller.abort();
      await assert.rejects(waiting, { kind: 'cancelled' });
      await assert.rejects(
        watcher.wait(ID, {
          alive: () => Promise.resolve(false),
          signal: AbortSignal.timeout(5000),
        }),
        { kind: 'internal' },
      );
      assert.equal(watcher.size, 0);
    }));
});
