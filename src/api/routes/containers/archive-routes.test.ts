import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePathStat, rfc3339Nano } from './archive-routes.js';

describe('archive path stat header', () => {
  it('formats times as Go RFC3339Nano in UTC', () => {
    const ns = (iso: string, fraction: bigint): bigint =>
      BigInt(Date.parse(iso)) * 1_000_000n + fraction;
    assert.equal(
      rfc3339Nano(ns('2026-11-23T04:20:03Z', 476_162_777n)),
      '2026-11-23T04:20:03.476162777Z',
    );
    assert.equal(rfc3339Nano(ns('2026-05-07T20:33:45Z', 0n)), '2026-05-07T20:33:45Z');
    assert.equal(rfc3339Nano(ns('2026-05-07T20:33:45Z', 500_000_000n)), '2026-05-07T20:33:45.5Z');
    assert.equal(rfc3339Nano(-1n), '1969-12-31T23:59:59.999999999Z');
  });

  it('is base64 of the JSON Docker sends, fields in its order', () => {
    const value = encodePathStat({
      name: 'in.txt',
      size: 7,
      mode: 420,
      mtimeNs: BigInt(Date.parse('2026-11-23T00:28:14Z')) * 1_000_000n,
      linkTarget: '',
    });
    assert.equal(
      Buffer.from(value, 'base64').toString(),
      '{"name":"in.txt","size":7,"mode":420,"mtime":"2026-11-23T00:28:14Z","linkTarget":""}',
    );
  });
});
