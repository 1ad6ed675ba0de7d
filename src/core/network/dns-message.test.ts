import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildAnswer,
  buildQuery,
  parseQuery,
  RCODE_NXDOMAIN,
  RCODE_OK,
  TYPE_AAAA,
} from './dns-message.js';

describe('dns messages', () => {
  it('reads a query', () => {
    const q = parseQuery(buildQuery(0x1234, 'web.example.'));
    assert.ok(q);
    assert.equal(q.id, 0x1234);
    assert.equal(q.name, 'web.example');
    assert.equal(q.type, 1);
    assert.equal(q.qclass, 1);
  });

  it('ignores responses, truncated and malformed messages', () => {
    const good = buildQuery(1, 'a');
    assert.equal(parseQuery(good.subarray(0, 11)), undefined);
    assert.equal(parseQuery(good.subarray(0, good.length - 1)), undefined);
    const response = Buffer.from(good);
    response.writeUInt16BE(0x8100, 2);
    assert.equal(parseQuery(response), undefined);
    const badLabel = Buffer.from(good);
    badLabel[12] = 64;
    assert.equal(parseQuery(badLabel), undefined);
  });

  it('answers with A records after the echoed question', () => {
    const q = parseQuery(buildQuery(7, 'web')) as NonNullable<ReturnType<typeof parseQuery>>;
    const a = buildAnswer(q, RCODE_OK, ['172.18.0.2', '172.18.0.3']);
    assert.equal(a.readUInt16BE(0), 7);
    assert.equal(a.readUInt16BE(2) & 0x8000, 0x8000);
    assert.equal(a.readUInt16BE(2) & 0x0100, 0x0100); // RD echoed
    assert.equal(a.readUInt16BE(2) & 0xf, 0);
    assert.equal(a.readUInt16BE(6), 2);
    const first = 12 + q.question.length;
    assert.equal(a.readUInt16BE(first), 0xc00c);
    assert.deepEqual([...a.subarray(first + 12, first + 16)], [172, 18, 0, 2]);
    assert.equal(a.length, first + 32);
  });

  it('answers NXDOMAIN and empty AAAA', () => {
    const q = parseQuery(buildQuery(9, 'nope', TYPE_AAAA)) as NonNullable<
      ReturnType<typeof parseQuery>
    >;
    const a = buildAnswer(q, RCODE_NXDOMAIN);
    assert.equal(a.readUInt16BE(2) & 0xf, 3);
    assert.equal(a.readUInt16BE(6), 0);
  });
});
