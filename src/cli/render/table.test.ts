import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ago, humanDuration, humanSize, shortId, table } from './table.js';

describe('CLI tables and units', () => {
  it('pads columns like the Docker CLI tabwriter (min 10, padding 3), last column as is', () => {
    assert.equal(
      table(
        ['REPOSITORY', 'TAG', 'SIZE'],
        [
          ['busybox', 'latest', '2.14MB'],
          ['a-very-long-name', '1', ''],
        ],
      ),
      'REPOSITORY         TAG       SIZE\nbusybox            latest    2.14MB\na-very-long-name   1         \n',
    );
  });

  it('says durations as go-units HumanDuration', () => {
    assert.equal(humanDuration(500), 'Less than a second');
    assert.equal(humanDuration(1000), '1 second');
    assert.equal(humanDuration(59_000), '59 seconds');
    assert.equal(humanDuration(60_000), 'About a minute');
    assert.equal(humanDuration(45 * 60_000), '45 minutes');
    assert.equal(humanDuration(60 * 60_000), 'About an hour');
    assert.equal(humanDuration(5 * 3_600_000), '5 hours');
    assert.equal(humanDuration(3 * 86_400_000), '3 days');
    assert.equal(humanDuration(20 * 86_400_000), '2 weeks');
    assert.equal(humanDuration(200 * 86_400_000), '6 months');
    assert.equal(humanDuration(800 * 86_400_000), '2 years');
    assert.equal(ago(1000, 1_061_000), 'About a minute ago');
  });

  it('prints sizes and short IDs', () => {
    assert.equal(humanSize(0), '0B');
    assert.equal(humanSize(1982440), '1.98MB');
    assert.equal(humanSize(512_000), '512kB');
    assert.equal(shortId(`sha256:${'ab'.repeat(32)}`), 'abababababab');
  });
});
