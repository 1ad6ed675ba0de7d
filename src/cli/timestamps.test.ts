import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from '../lib/go-duration.js';
import { toApiTimestamp } from './timestamps.js';

describe('parseGoDuration', () => {
  it('parses Go durations to milliseconds', () => {
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('10m'), 600_000);
    assert.equal(parseGoDuration('0s'), 0);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('250ms'), 250);
    assert.equal(parseGoDuration('2h45m30s'), 9_930_000);
  });

  it('returns undefined for anything else', () => {
    for (const bad of ['', '10', 'abc', '1x', '1h junk', 'h', '2026-11-23T00:00:00Z']) {
      assert.equal(parseGoDuration(bad), undefined, bad);
    }
  });
});

describe('toApiTimestamp', () => {
  const now = Date.UTC(2026, 10, 23, 0, 26, 19, 619);

  it('turns a duration into integer seconds before now', () => {
    assert.equal(toApiTimestamp('10m', now), '1795392979');
    assert.equal(toApiTimestamp('0s', now), '1795393579');
    assert.equal(toApiTimestamp('1h30m', now), String(1795393579 - 5400));
  });

  it('passes unix seconds through', () => {
    assert.equal(toApiTimestamp('1795393663', now), '1795393663');
    assert.equal(toApiTimestamp('1795393663.5', now), '1795393663.5');
  });

  it('turns RFC 3339 into seconds.nanoseconds', () => {
    assert.equal(toApiTimestamp('2026-11-23T00:26:19Z', now), '1795393579.000000000');
    assert.equal(toApiTimestamp('2026-11-23T00:26:19.619053014Z', now), '1795393579.619053014');
    assert.equal(toApiTimestamp('2026-11-23T02:26:19.5+02:00', now), '1795393579.500000000');
  });

  it('refuses what is neither', () => {
    assert.throws(() => toApiTimestamp('yesterday', now), {
      message: 'failed to parse value as time or duration: "yesterday"',
    });
  });
});
