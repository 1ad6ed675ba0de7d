import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../../core/errors.js';
import type { JobContext } from '../../core/jobs.js';
import { createLogger } from '../../lib/logger.js';
import { Engine } from './engine.js';

const quiet = (): Engine => new Engine(createLogger('fatal', { write() {} }));

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves when the job's signal aborts, with the abort reason. */
const untilAborted = (job: JobContext): Promise<unknown> =>
  new Promise((resolve) => {
    if (job.signal.aborted) resolve(job.signal.reason);
    job.signal.addEventListener('abort', () => resolve(job.signal.reason), { once: true });
  });

describe('Engine', () => {
  it('refuses to register a name twice', () => {
    const engine = quiet();
    engine.register({ name: 'ping', handler: async () => 'pong' });
    assert.throws(
      () => engine.register({ name: 'ping', handler: async () => 'again' }),
      /job ping is registered twice/,
    );
  });

  it('runs a job and returns its value', async () => {
    const engine = quiet();
    const add = engine.register<{ a: number; b: number }, number>({
      name: 'add',
      handler: async (_job, { a, b }) => a + b,
    });
    assert.equal(add.name, 'add');
    assert.equal(await add.run({ a: 2, b: 3 }), 5);
    assert.deepEqual(engine.active(), []);
  });

  it('runs dozens of jobs at once without a listener-leak warning', async () => {
    const engine = quiet();
    const gate = deferred();
    const hold = engine.register({ name: 'hold', handler: async () => gate.promise });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const runs = Array.from({ length: 30 }, () => hold.run(undefined));
      gate.resolve();
      await Promise.all(runs);
      await sleep(10); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  it('passes the job its name and a fresh id', async () => {
    const engine = quiet();
    const who = engine.register({ name: 'who', handler: async (job) => `${job.name}/${job.id}` });
    const a = await who.run(undefined);
    const b = await who.run(undefined);
    assert.match(a, /^who\/[0-9a-f]{8,}$/);
    assert.notEqual(a, b);
  });

  it('propagates a handler error and forgets the job', async () => {
    const engine = quiet();
    const fail = engine.register({
      name: 'fail',
      handler: async () => {
        throw new BerthError('not-found', 'no such thing');
      },
    });
    await assert.rejects(fail.run(undefined), { kind: 'not-found', message: 'no such thing' });
    assert.deepEqual(engine.active(), []);
  });

  it('shows a running job with its log lines in active()', async () => {
    const engine = quiet();
    const gate = deferred();
    const logged = deferred();
    const slow = engine.register({
      name: 'slow',
      handler: async (job) => {
        job.log('step one');
        job.log('step two');
        logged.resolve();
        await gate.promise;
        return 'ok';
      },
    });
    const run = slow.run(undefined);
    await logged.promise;
    const [snap, ...rest] = engine.active();
    assert.equal(rest.length, 0);
    assert.ok(snap);
    assert.equal(snap.name, 'slow');
    assert.equal(snap.kind, 'task');
    assert.equal(snap.status, 'running');
    assert.match(snap.id, /^[0-9a-f]{8,}$/);
    assert.ok(!Number.isNaN(Date.parse(snap.startedAt)));
    assert.equal(snap.log.length, 2);
    assert.match(snap.log[0] ?? '', /^\d{4}-\d\d-\d\dT\S+Z step one$/);
    assert.match(snap.log[1] ?? '', / step two$/);
    gate.resolve();
    assert.equal(await run, 'ok');
    assert.deepEqual(engine.active(), []);
  });

  it('keeps only the last 50 log lines of a job', async () => {
    const engine = quiet();
    const gate = deferred();
    const logged = deferred();
    const chatty = engine.register({
      name: 'chatty',
      handler: async (job) => {
        for (let i = 0; i < 60; i++) job.log(`line ${i}`);
        logged.resolve();
        await gate.promise;
      },
    });
    const run = chatty.run(undefined);
    await logged.promise;
    const log = engine.active()[0]?.log ?? [];
    assert.equal(log.length, 50);
    assert.match(log[0] ?? '', / line 10$/);
    assert.match(log[49] ?? '', / line 59$/);
    gate.resolve();
    await run;
  });

  it('lists the registered commands sorted by name with their kind', () => {
    const engine = quiet();
    engine.register({ name: 'version', handler: async () => 1 });
    engine.register({ name: 'events', kind: 'stream', handler: async () => 1 });
    engine.register({ name: 'info', handler: async () => 1 });
    assert.deepEqual(engine.commands(), [
      { name: 'events', kind: 'stream' },
      { name: 'info', kind: 'task' },
      { name: 'version', kind: 'task' },
    ]);
  });

  it("aborts the job's signal when the caller's signal aborts", async () => {
    const engine = quiet();
    const waits = engine.register({
      name: 'waits',
      handler: async (job) => {
        await untilAborted(job);
        return job.signal.aborted;
      },
    });
    const caller = new AbortController();
    const run = waits.run(undefined, { signal: caller.signal });
    await sleep(5);
    assert.equal(engine.active().length, 1);
    caller.abort();
    assert.equal(await run, true);
  });

  it('rejects with cancelled when the caller has already gone', async () => {
    const engine = quiet();
    let called = false;
    const job = engine.register({
      name: 'never',
      handler: async () => {
        called = true;
      },
    });
    await assert.rejects(job.run(undefined, { signal: AbortSignal.abort() }), {
      kind: 'cancelled',
    });
    assert.equal(called, false);
  });

  it('drain waits for a running task', async () => {
    const engine = quiet();
    let finished = false;
    const task = engine.register({
      name: 'task',
      handler: async () => {
        await sleep(50);
        finished = true;
        return 'done';
      },
    });
    const run = task.run(undefined);
    const result = await engine.drain(2000);
    assert.equal(finished, true);
    assert.deepEqual(result, { waitedFor: 1, abandoned: 0 });
    assert.equal(await run, 'done');
    assert.equal(engine.rootSignal.aborted, true);
  });

  it('drain cancels stream jobs and does not count them as waited for', async () => {
    const engine = quiet();
    let reason: unknown;
    const stream = engine.register({
      name: 'stream',
      kind: 'stream',
      handler: async (job) => {
        reason = await untilAborted(job);
        return 'ended';
      },
    });
    const run = stream.run(undefined);
    await sleep(5);
    const started = Date.now();
    const result = await engine.drain(5000);
    assert.ok(Date.now() - started < 2000, 'drain waited for the stream');
    assert.deepEqual(result, { waitedFor: 0, abandoned: 0 });
    assert.equal(await run, 'ended');
    assert.ok(reason instanceof BerthError);
    assert.equal(reason.kind, 'cancelled');
  });

  it('refuses new runs once draining has begun', async () => {
    const engine = quiet();
    const job = engine.register({ name: 'late', handler: async () => 'ran' });
    assert.equal(engine.accepting, true);
    await engine.drain(100);
    assert.equal(engine.accepting, false);
    await assert.rejects(
      job.run(undefined),
      (err: unknown) =>
        err instanceof BerthError &&
        err.kind === 'unavailable' &&
        err.message === 'the daemon is shutting down',
    );
  });

  it('abandons tasks still running at the deadline and aborts the root signal', async () => {
    const engine = quiet();
    const stuck = engine.register({
      name: 'stuck',
      handler: async (job) => {
        await untilAborted(job);
        throw job.signal.reason;
      },
    });
    const runs = [stuck.run(undefined), stuck.run(undefined)];
    const settled = Promise.allSettled(runs);
    assert.equal(engine.rootSignal.aborted, false);
    const started = Date.now();
    const result = await engine.drain(60);
    assert.ok(Date.now() - started >= 50);
    assert.deepEqual(result, { waitedFor: 2, abandoned: 2 });
    assert.equal(engine.rootSignal.aborted, true);
    const outcomes = await settled;
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected'],
    );
    assert.deepEqual(engine.active(), []);
  });
});
