import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineEvent, NewEvent } from '../../core/events.js';
import { NO_FILTERS, type FilterArgs } from '../../core/filters.js';
import { EventBus } from './event-bus.js';

const ev = (action: string, type: NewEvent['type'] = 'container'): NewEvent => ({
  type,
  action,
  actor: { id: `id-${action}`, attributes: {} },
});

/** Collects the whole stream, failing if it does not end within `ms`. */
async function collect(iterable: AsyncIterable<EngineEvent>, ms = 2000): Promise<string[]> {
  const out: string[] = [];
  const run = (async () => {
    for await (const e of iterable) out.push(e.action);
  })();
  const timer = sleep(ms).then(() => 'timeout' as const);
  const outcome = await Promise.race([run.then(() => 'done' as const), timer]);
  assert.equal(outcome, 'done', `stream did not end within ${ms}ms (got ${out.join(',')})`);
  return out;
}

/** Resolves with the next value, or 'pending' if none comes within `ms`. */
async function nextOrPending(
  it: AsyncIterator<EngineEvent>,
  ms = 50,
): Promise<IteratorResult<EngineEvent> | 'pending'> {
  return Promise.race([it.next(), sleep(ms).then(() => 'pending' as const)]);
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

describe('EventBus', () => {
  it('stamps strictly increasing timeNano and scope local', () => {
    const bus = new EventBus();
    let last = 0n;
    for (let i = 0; i < 200; i++) {
      const e = bus.publish(ev(`e${i}`));
      assert.ok(e.timeNano > last, `event ${i} went back in time`);
      assert.equal(e.scope, 'local');
      last = e.timeNano;
    }
    // Close to the wall clock (within a minute).
    const drift = last - nowNs();
    assert.ok(drift < 60_000_000_000n && drift > -60_000_000_000n);
  });

  it('without since streams only live events', async () => {
    const bus = new EventBus();
    bus.publish(ev('old'));
    const ac = new AbortController();
    const it = bus.stream({ filters: NO_FILTERS, signal: ac.signal })[Symbol.asyncIterator]();
    const pending = it.next();
    assert.equal(bus.subscriberCount, 1);
    bus.publish(ev('live'));
    const first = await pending;
    assert.equal(first.done, false);
    assert.equal(first.value.action, 'live');
    ac.abort();
    assert.equal((await it.next()).done, true);
  });

  it('with since streams history then live events', async () => {
    const bus = new EventBus();
    const a = bus.publish(ev('a'));
    bus.publish(ev('b'));
    const ac = new AbortController();
    const stream = bus.stream({ since: a.timeNano, filters: NO_FILTERS, signal: ac.signal });
    const it = stream[Symbol.asyncIterator]();
    assert.equal(((await it.next()).value as EngineEvent).action, 'a');
    assert.equal(((await it.next()).value as EngineEvent).action, 'b');
    const pending = it.next();
    bus.publish(ev('c'));
    assert.equal(((await pending).value as EngineEvent).action, 'c');
    ac.abort();
    assert.equal((await it.next()).done, true);
  });

  it('since excludes older history', async () => {
    const bus = new EventBus();
    bus.publish(ev('a'));
    const b = bus.publish(ev('b'));
    bus.publish(ev('c'));
    await sleep(5);
    const got = await collect(
      bus.stream({
        since: b.timeNano,
        until: nowNs() - 1n,
        filters: NO_FILTERS,
        signal: new AbortController().signal,
      }),
    );
    assert.deepEqual(got, ['b', 'c']);
  });

  it('with until in the past returns the history and ends', async () => {
    const bus = new EventBus();
    bus.publish(ev('a'));
    const b = bus.publish(ev('b'));
    await sleep(5);
    bus.publish(ev('after'));
    const stream = bus.stream({
      since: 0n,
      until: b.timeNano,
      filters: NO_FILTERS,
      signal: new AbortController().signal,
    });
    assert.deepEqual(await collect(stream), ['a', 'b']);
    assert.equal(bus.subscriberCount, 0);
  });

  it('with until in the near future ends by itself', async () => {
    const bus = new EventBus();
    const started = Date.now();
    const stream = bus.stream({
      until: nowNs() + 200_000_000n,
      filters: NO_FILTERS,
      signal: new AbortController().signal,
    });
    const done = collect(stream, 3000);
    await sleep(20);
    bus.publish(ev('inside'));
    const got = await done;
    const elapsed = Date.now() - started;
    assert.deepEqual(got, ['inside']);
    assert.ok(elapsed >= 150, `ended too early (${elapsed}ms)`);
    assert.equal(bus.subscriberCount, 0);
  });

  it('applies filters to history and live events', async () => {
    const bus = new EventBus();
    bus.publish(ev('c1', 'container'));
    bus.publish(ev('i1', 'image'));
    const filters: FilterArgs = new Map([['type', ['image']]]);
    const ac = new AbortController();
    const it = bus.stream({ since: 0n, filters, signal: ac.signal })[Symbol.asyncIterator]();
    assert.equal(((await it.next()).value as EngineEvent).action, 'i1');
    const pending = it.next();
    bus.publish(ev('c2', 'container'));
    bus.publish(ev('i2', 'image'));
    assert.equal(((await pending).value as EngineEvent).action, 'i2');
    ac.abort();
    assert.equal((await it.next()).done, true);
  });

  it('ends the iteration and drops the subscriber when the signal aborts', async () => {
    const bus = new EventBus();
    const ac = new AbortController();
    const it = bus.stream({ filters: NO_FILTERS, signal: ac.signal })[Symbol.asyncIterator]();
    const pending = it.next();
    assert.equal(bus.subscriberCount, 1);
    assert.equal(await Promise.race([pending, sleep(20).then(() => 'pending')]), 'pending');
    ac.abort();
    assert.equal((await pending).done, true);
    assert.equal(bus.subscriberCount, 0);
    bus.publish(ev('late'));
    assert.equal((await it.next()).done, true);
  });

  it('drops the subscriber when the consumer breaks out', async () => {
    const bus = new EventBus();
    const ac = new AbortController();
    const stream = bus.stream({ filters: NO_FILTERS, signal: ac.signal });
    setTimeout(() => bus.publish(ev('x')), 5);
    for await (const e of stream) {
      assert.equal(e.action, 'x');
      break;
    }
    assert.equal(bus.subscriberCount, 0);
  });

  it('keeps only the last 1000 events of history', async () => {
    const bus = new EventBus();
    let last: EngineEvent | undefined;
    for (let i = 0; i < 1005; i++) last = bus.publish(ev(`e${i}`));
    await sleep(5);
    const got = await collect(
      bus.stream({
        since: 0n,
        until: last?.timeNano,
        filters: NO_FILTERS,
        signal: new AbortController().signal,
      }),
    );
    assert.equal(got.length, 1000);
    assert.equal(got[0], 'e5');
    assert.equal(got[999], 'e1004');
  });

  it('does not lose an event published between stream() and the first next()', async () => {
    const bus = new EventBus();
    const ac = new AbortController();
    const stream = bus.stream({ since: 0n, filters: NO_FILTERS, signal: ac.signal });
    bus.publish(ev('between'));
    const it = stream[Symbol.asyncIterator]();
    const first = await nextOrPending(it, 50);
    ac.abort();
    assert.notEqual(first, 'pending', 'the event was lost');
  });
});
