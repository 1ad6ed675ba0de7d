import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressQueue } from './progress-queue.js';

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
