import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  initialHealth,
  mergeHealthcheck,
  nextHealth,
  probeOf,
  validateHealthcheck,
  type HealthLogEntry,
} from './health.js';

const result = (code: number): HealthLogEntry => ({
  Start: '2026-11-23T00:00:00Z',
  End: '2026-11-23T00:00:01Z',
  ExitCode: code,
  Output: `exit ${code}`,
});

describe('health checks', () => {
  it('turns CMD and CMD-SHELL into a command with Docker defaults', () => {
    assert.deepEqual(probeOf({ Test: ['CMD-SHELL', 'curl -f localhost || exit 1'] }), {
      cmd: ['/bin/sh', '-c', 'curl -f localhost || exit 1'],
      intervalMs: 30_000,
      timeoutMs: 30_000,
      startPeriodMs: 0,
      retries: 3,
    });
    const p = probeOf({
      Test: ['CMD', 'true'],
      Interval: 2e9,
      Timeout: 5e8,
      StartPeriod: 1e9,
      Retries: 5,
    });
    assert.deepEqual(p, {
      cmd: ['true'],
      intervalMs: 2000,
      timeoutMs: 500,
      startPeriodMs: 1000,
      retries: 5,
    });
    assert.equal(probeOf({ Test: ['NONE'] }), undefined);
    assert.equal(probeOf({ Test: [] }), undefined);
    assert.equal(probeOf(null), undefined);
  });

  it('inherits what the request leaves unset from the image', () => {
    const image = { Test: ['CMD', 'true'], Interval: 5e9, Retries: 2 };
    assert.deepEqual(mergeHealthcheck(image, { Interval: 1e9 }), {
      Test: ['CMD', 'true'],
      Interval: 1e9,
      Timeout: undefined,
      StartPeriod: undefined,
      Retries: 2,
    });
    assert.deepEqual(mergeHealthcheck(image, { Test: ['NONE'] })?.['Test'], ['NONE']);
    assert.equal(mergeHealthcheck(image, undefined), image);
  });

  it('refuses bad values with Docker messages', () => {
    assert.throws(() => validateHealthcheck({ Interval: -1 }), /can't be negative/);
    assert.throws(() => validateHealthcheck({ Interval: 10 }), /less than 1ms/);
    assert.throws(() => validateHealthcheck({ Retries: -2 }), /Retries in can't be negative/);
    assert.throws(() => validateHealthcheck({ Test: 'true' }), /array of strings/);
    validateHealthcheck({ Test: ['CMD', 'true'], Interval: 1e9 });
  });

  it('moves starting → healthy → unhealthy after `retries` failures, keeping five results', () => {
    const probe = probeOf({ Test: ['CMD', 'x'], Retries: 2 });
    assert.ok(probe);
    let h = initialHealth();
    h = nextHealth(h, result(1), probe, true);
    assert.deepEqual(
      [h.Status, h.FailingStreak],
      ['starting', 0],
      'the start period does not count',
    );
    h = nextHealth(h, result(0), probe, false);
    assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
    h = nextHealth(h, result(1), probe, false);
    assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 1]);
    h = nextHealth(h, result(1), probe, false);
    assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 2]);
    for (let i = 0; i < 4; i++) h = nextHealth(h, result(7), probe, false);
    assert.equal(h.Log.length, 5);
  });
});
