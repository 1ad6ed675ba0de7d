import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import { parseTimestampParam } from './timestamps.js';

describe('parseTimestampParam', () => {
  it('returns undefined for a missing or empty value', () => {
    assert.equal(parseTimestampParam('since', null), undefined);
    assert.equal(parseTimestampParam('since', ''), undefined);
  });

  it('parses unix seconds', () => {
    assert.equal(parseTimestampParam('since', '1795393663'), 1795393663000000000n);
    assert.equal(parseTimestampParam('since', '0'), 0n);
  });

  it('parses seconds with a fraction', () => {
    assert.equal(parseTimestampParam('since', '1.5'), 1500000000n);
    assert.equal(parseTimestampParam('since', '1795393663.000000001'), 1795393663000000001n);
    assert.equal(parseTimestampParam('until', '10.123456789'), 10123456789n);
  });

  it('parses RFC 3339 with a fraction', () => {
    assert.equal(
      parseTimestampParam('since', '2026-11-23T00:26:19.619053014Z'),
      1795393579619053014n,
    );
    assert.equal(parseTimestampParam('since', '2026-11-23T00:26:19Z'), 1795393579000000000n);
    assert.equal(parseTimestampParam('since', '2026-11-23T00:26:19.5Z'), 1795393579500000000n);
  });

  it('applies an RFC 3339 offset', () => {
    assert.equal(parseTimestampParam('since', '2026-11-23T02:26:19+02:00'), 1795393579000000000n);
  });

  it('rejects anything else as an invalid argument naming the parameter', () => {
    for (const bad of ['abc', '-5', '1.1234567890', '2026-11-23', '2026-11-23T00:26:19', '10m']) {
      assert.throws(
        () => parseTimestampParam('until', bad),
        (err: unknown) =>
          err instanceof BerthError &&
          err.kind === 'invalid-argument' &&
          err.message.startsWith(`invalid value for until: ${JSON.stringify(bad)}`),
        bad,
      );
    }
  });

  it('rejects an impossible date', () => {
    assert.throws(() => parseTimestampParam('since', '2026-13-45T99:00:00Z'), BerthError);
  });
});
