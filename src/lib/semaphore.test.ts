import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Semaphore } from './semaphore.js';

test('no more than the limit hold a slot; waiters get slots in order', async () => {
  const sem = new Semaphore(() => 2);
  const a = sem.tryAcquire();
  const b = sem.tryAcquire();
  assert.ok(a && b);
  assert.equal(sem.tryAcquire(), undefined);
  const order: string[] = [];
  const c = sem.acquire().then((r) => {
    order.push('c');
    return r;
  });
  const d = sem.acquire().then((r) => {
    order.push('d');
    return r;
  });
  a();
  a(); // a second release of the same slot changes nothing
  const rc = await c;
  assert.deepEqual(order, ['c']);
  b();
  const rd = await d;
  assert.deepEqual(order, ['c', 'd']);
  rc();
  rd();
  assert.ok(sem.tryAcquire());
});

test('an aborted waiter leaves the queue', async () => {
  const sem = new Semaphore(() => 1);
  const first = sem.tryAcquire();
  const controller = new AbortController();
  const waiting = sem.acquire(controller.signal);
  controller.abort(new Error('gone'));
  await assert.rejects(waiting, /gone/);
  first?.();
  assert.ok(sem.tryAcquire(), 'the slot went to nobody else');
});
