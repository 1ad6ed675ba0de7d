import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapLimit, ProgressQueue } from './progress-queue.js';

test('the queue yields what producers push, then ends on close', async () => {
  const q = new ProgressQueue<number>();
  setTimeout(() => {
    q.push(1);
    q.push(2);
    setTimeout(() => q.close(), 5);
  }, 5);
  const seen: number[] = [];
  for await (const n of q) seen.push(n);
  assert.deepEqual(seen, [1, 2]);
});

test('close with an error fails the consumer after the pushed items', async () => {
  const q = new ProgressQueue<number>();
  q.push(7);
  q.close(new Error('boom'));
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const n of q) seen.push(n);
  }, /boom/);
  assert.deepEqual(seen, [7]);
});

test('mapLimit never runs more than the limit at once and keeps order', async () => {
  let running = 0;
  let peak = 0;
  const out = await mapLimit([1, 2, 3, 4, 5], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    return n * 10;
  });
  assert.deepEqual(out, [10, 20, 30, 40, 50]);
  assert.equal(peak, 2);
});

test('mapLimit starts no new item after a failure', async () => {
  const started: number[] = [];
  await assert.rejects(
    mapLimit([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('two');
    }),
    /two/,
  );
  assert.deepEqual(started, [1, 2]);
});
