import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { K8sLogRecord } from '../../../core/runtime/k8s-log.js';
import { LineJoiner } from './run-routes.js';

const rec = (
  text: string,
  partial: boolean,
  stream: 'stdout' | 'stderr' = 'stdout',
  time = 't1',
): K8sLogRecord => ({
  time,
  stream,
  partial,
  text,
});

describe('LineJoiner', () => {
  it("joins a line's parts, per stream, at the first part's time", () => {
    const j = new LineJoiner();
    assert.equal(j.add(rec('par', true, 'stdout', 't1')), undefined);
    assert.equal(j.add(rec('err', true, 'stderr', 't2')), undefined);
    assert.deepEqual(
      j.add(rec('tial', false, 'stdout', 't3')),
      rec('partial', false, 'stdout', 't1'),
    );
    assert.deepEqual(j.add(rec('whole', false)), rec('whole', false));
    assert.deepEqual(j.flush(), [rec('err', true, 'stderr', 't2')]);
    assert.deepEqual(j.flush(), []);
  });

  it('lets a part out once the line reaches 16 KiB', () => {
    const j = new LineJoiner();
    assert.equal(j.add(rec('x'.repeat(10_000), true)), undefined);
    assert.deepEqual(
      j.add(rec('y'.repeat(7_000), true)),
      rec('x'.repeat(10_000) + 'y'.repeat(7_000), true),
    );
    assert.deepEqual(j.flush(), []);
  });
});
