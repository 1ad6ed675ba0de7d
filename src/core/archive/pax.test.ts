import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePaxRecords, encodePaxRecords } from './pax.js';

test('PAX records round-trip binary values and count their own length', () => {
  const binary = Buffer.from([0x01, 0x00, 0x80, 0xff, 0x0a, 0x3d]);
  const records = [
    ['path', Buffer.from('é/'.repeat(60))],
    ['SCHILY.xattr.security.capability', binary],
    ['x', Buffer.alloc(0)],
  ] as const;
  const encoded = encodePaxRecords(records);
  const decoded = decodePaxRecords(encoded);
  assert.deepEqual(
    [...decoded.entries()],
    records.map(([k, v]) => [k, v]),
  );
  // "9 x=abc\n" is 8 bytes + 1 digit: each record's length includes its digits.
  assert.equal(encodePaxRecords([['x', Buffer.from('abc')]]).toString(), '8 x=abc\n');
  const ninetyEight = encodePaxRecords([['k', Buffer.alloc(93, 0x61)]]);
  assert.equal(ninetyEight.length, Number.parseInt(ninetyEight.toString().split(' ')[0] ?? '', 10));
});

test('decodePaxRecords stops at a malformed record', () => {
  assert.deepEqual(
    [...decodePaxRecords(Buffer.from('8 x=abc\nzz garbage'))],
    [['x', Buffer.from('abc')]],
  );
  assert.equal(decodePaxRecords(Buffer.from('99 x=abc\n')).size, 0);
});
