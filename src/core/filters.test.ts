// Filters shared by the list and prune endpoints.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration } from '../lib/go-duration.js';
import { matchesPruneLabels, pruneCutoff } from './filters.js';

describe('prune filters', () => {
  it('reads Go durations', () => {
    assert.equal(parseGoDuration('90s'), 90_000);
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('250ms'), 250);
    assert.equal(parseGoDuration('-2m'), -120_000);
    assert.equal(parseGoDuration('0'), 0);
    for (const bad of ['', '10', 'h', '1d', '1h 2m', 'abc'])
      assert.equal(parseGoDuration(bad), undefined, bad);
  });

  it('turns until into a cutoff: a duration back from now, unix seconds, RFC 3339, a date', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    const until = (value: string): number | undefined =>
      pruneCutoff(new Map([['until', [value]]]), now);
    assert.equal(pruneCutoff(new Map(), now), undefined);
    assert.equal(until('24h'), now - 86_400_000);
    assert.equal(until('1795393663'), 1_795_393_663_000);
    assert.equal(until('1795393663.5'), 1_795_393_663_500);
    assert.equal(until('2026-11-01T00:00:00Z'), Date.parse('2026-11-01T00:00:00Z'));
    assert.equal(until('2026-11-01'), Date.parse('2026-11-01'));
    assert.throws(() => until('xyz'), {
      message: 'failed to parse value as time or duration: "xyz"',
    });
    assert.throws(() => pruneCutoff(new Map([['until', ['1h', '2h']]]), now), {
      message: 'more than one until filter specified',
    });
  });

  it('matches label (all) and label! (not all)', () => {
    const labels = { a: '1', b: '2' };
    const f = (entries: [string, string[]][]): boolean =>
      matchesPruneLabels(new Map(entries), labels);
    assert.equal(f([]), true);
    assert.equal(f([['label', ['a']]]), true);
    assert.equal(f([['label', ['a=1', 'b=2']]]), true);
    assert.equal(f([['label', ['a=2']]]), false);
    assert.equal(f([['label!', ['a']]]), false);
    assert.equal(f([['label!', ['c']]]), true);
    assert.equal(f([['label!', ['a', 'c']]]), true, 'not every label! value matches');
    assert.equal(
      f([
        ['label', ['b']],
        ['label!', ['a=1']],
      ]),
      false,
    );
  });
});
