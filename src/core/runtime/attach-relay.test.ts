import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RelayFrameDecoder } from './attach-relay.js';

function frame(stream: number, text: string): Buffer {
  const data = Buffer.from(text);
  const header = Buffer.alloc(5);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(data.length, 1);
  return Buffer.concat([header, data]);
}

describe('RelayFrameDecoder', () => {
  it('splits frames across and within chunks', () => {
    const bytes = Buffer.concat([frame(2, 'hello\n'), frame(3, 'err'), frame(2, '')]);
    const decoder = new RelayFrameDecoder();
    const got: [number, string][] = [];
    for (let i = 0; i < bytes.length; i += 4) {
      for (const f of decoder.push(bytes.subarray(i, i + 4))) {
        got.push([f.stream, f.data.toString()]);
      }
    }
    assert.deepEqual(got, [
      [2, 'hello\n'],
      [3, 'err'],
      [2, ''],
    ]);
    assert.equal(decoder.pending, 0);
  });

  it('keeps an unfinished frame', () => {
    const decoder = new RelayFrameDecoder();
    assert.deepEqual(decoder.push(frame(2, 'abcdef').subarray(0, 7)), []);
    assert.equal(decoder.pending, 7);
  });
});
