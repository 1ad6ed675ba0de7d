import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { BatchedOutput, frame } from './hijack.js';

/** A writable that records each write, and says "full" (false) past `highWaterMark`. */
function recorder(highWaterMark = 16 * 1024): { out: Writable; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk);
      setImmediate(done);
    },
  });
  return { out, writes };
}

describe('BatchedOutput', () => {
  it('writes the pieces of one turn as one chunk, frames as frame() makes them', async () => {
    const { out, writes } = recorder();
    const output = new BatchedOutput(out, new AbortController().signal);
    await output.add('one\n', 'stdout');
    await output.add('two\n', 'stderr');
    await output.add('raw');
    assert.equal(writes.length, 0, 'nothing written within the turn');
    await nextTurn();
    assert.equal(writes.length, 1);
    assert.deepEqual(
      writes[0],
      Buffer.concat([
        frame('stdout', Buffer.from('one\n')),
        frame('stderr', Buffer.from('two\n')),
        Buffer.from('raw'),
      ]),
    );
  });

  it('writes at 64 KiB and waits for the stream to drain; flush() writes the rest', async () => {
    const { out, writes } = recorder(1024);
    const output = new BatchedOutput(out, new AbortController().signal);
    const line = `${'x'.repeat(99)}\n`;
    for (let i = 0; i < 2000; i++) await output.add(line, 'stdout');
    await output.flush();
    assert.ok(writes.length >= 3 && writes.length <= 5, `${writes.length} writes`);
    assert.ok(writes.every((w) => w.length <= 64 * 1024 + 108));
    const all = Buffer.concat(writes);
    assert.equal(all.length, 2000 * 108);
    assert.deepEqual(all.subarray(0, 108), frame('stdout', Buffer.from(line)));
  });

  it('counts the bytes of multi-byte text in the frame header', async () => {
    const { out, writes } = recorder();
    const output = new BatchedOutput(out, new AbortController().signal);
    await output.add('é✓\n', 'stdout');
    await output.flush();
    assert.deepEqual(writes[0], frame('stdout', Buffer.from('é✓\n')));
  });
});
