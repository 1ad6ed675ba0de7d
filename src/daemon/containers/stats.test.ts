import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  initialState,
  type ContainerRecord,
  type ContainerState,
} from '../../core/containers/container.js';
import type { StatsReport } from '../../core/containers/stats.js';
import { isBerthError, notFound } from '../../core/errors.js';
import { ContainerStats } from './stats.js';

function record(id: string, name: string, state: Partial<ContainerState> = {}): ContainerRecord {
  return {
    id,
    name,
    imageId: 'sha256:0',
    driverId: 'd',
    created: new Date(0).toISOString(),
    path: 'sleep',
    args: ['1000'],
    config: { Image: 'busybox' },
    host: {
      autoRemove: false,
      networkMode: 'default',
      restartPolicy: { name: 'no', maximumRetryCount: 0 },
    },
    hostConfigDocument: {},
    state: { ...initialState(), ...state },
  };
}

/** A container store of one: `remove()` makes it disappear. */
function store(c: ContainerRecord): { resolve: (ref: string) => ContainerRecord; remove(): void } {
  let present = true;
  return {
    resolve: (ref) => {
      if (present && (ref === c.id || ref === c.name)) return c;
      throw notFound(`No such container: ${ref}`);
    },
    remove: () => (present = false),
  };
}

async function take(reports: AsyncIterable<StatsReport>, max: number): Promise<StatsReport[]> {
  const out: StatsReport[] = [];
  for await (const r of reports) {
    out.push(r);
    if (out.length >= max) break;
  }
  return out;
}

const ID = 'a'.repeat(64);

describe('container stats reports', () => {
  it('answers a stopped container at once with one empty report (stream=0)', async () => {
    const s = store(record(ID, 'stopped', { status: 'exited' }));
    const stats = new ContainerStats({ resolve: s.resolve, hostMemory: 1 << 30, intervalMs: 5 });
    const reports = await take(
      stats.stats('stopped', { stream: false, oneShot: false, signal: AbortSignal.timeout(5000) }),
      10,
    );
    assert.deepEqual(reports, [{ id: ID, name: 'stopped' }]);
  });

  it('streams empty reports for a stopped container until it is removed', async () => {
    const s = store(record(ID, 'gone', { status: 'exited' }));
    const stats = new ContainerStats({ resolve: s.resolve, hostMemory: 1 << 30, intervalMs: 5 });
    const reports: StatsReport[] = [];
    for await (const r of stats.stats('gone', {
      stream: true,
      oneShot: false,
      signal: AbortSignal.timeout(5000),
    })) {
      reports.push(r);
      if (reports.length === 3) s.remove();
      assert.ok(reports.length < 10, 'the stream ended with the container');
    }
    assert.equal(reports.length, 3);
    for (const r of reports) assert.equal(r.current, undefined);
  });

  it('ends a stream when its client goes away', async () => {
    const s = store(record(ID, 'c', { status: 'created' }));
    const stats = new ContainerStats({ resolve: s.resolve, hostMemory: 1 << 30, intervalMs: 5 });
    const controller = new AbortController();
    let count = 0;
    for await (const r of stats.stats('c', {
      stream: true,
      oneShot: false,
      signal: controller.signal,
    })) {
      assert.equal(r.name, 'c');
      if (++count === 2) controller.abort();
      assert.ok(count < 10, 'the stream ended with its signal');
    }
    assert.equal(count, 2);
  });

  it('fails before any report for a missing container and for stream with one-shot', () => {
    const s = store(record(ID, 'c'));
    const stats = new ContainerStats({ resolve: s.resolve, hostMemory: 1 << 30 });
    const signal = AbortSignal.timeout(5000);
    assert.throws(
      () => stats.stats('nosuch', { stream: false, oneShot: false, signal }),
      (err) => isBerthError(err, 'not-found') && err.message === 'No such container: nosuch',
    );
    assert.throws(
      () => stats.stats('c', { stream: true, oneShot: true, signal }),
      (err) =>
        isBerthError(err, 'invalid-argument') &&
        err.message === 'cannot have stream=true and one-shot=true',
    );
  });

  it('has no sample of a container that is not running', async () => {
    const stats = new ContainerStats({ resolve: () => record(ID, 'c'), hostMemory: 1 });
    assert.equal(await stats.sample(record(ID, 'c', { status: 'exited', pid: 0 })), undefined);
  });
});
