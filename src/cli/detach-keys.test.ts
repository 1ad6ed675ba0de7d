import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_DETACH_KEYS,
  DetachKeyScanner,
  DetachKeysError,
  parseDetachKeys,
} from './detach-keys.js';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

describe('parseDetachKeys', () => {
  it('reads control names, single characters and DEL', () => {
    assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
    assert.deepEqual(
      parseDetachKeys('ctrl-@,ctrl-a,ctrl-z,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_'),
      [0, 1, 26, 27, 28, 29, 30, 31],
    );
    assert.deepEqual(parseDetachKeys('a,b'), [97, 98]);
    assert.deepEqual(parseDetachKeys('ctrl-x,DEL'), [24, 127]);
  });

  it('refuses what the Docker CLI refuses, with its message', () => {
    assert.throws(() => parseDetachKeys('foo'), new DetachKeysError("Unknown character: 'foo'"));
    assert.throws(() => parseDetachKeys('ctrl-P'), /Unknown character: 'ctrl-P'/);
    assert.throws(() => parseDetachKeys('a,,b'), /Unknown character: ''/);
  });
});

describe('DetachKeyScanner', () => {
  it('forwards ordinary input unchanged', () => {
    const s = new DetachKeyScanner(DEFAULT_DETACH_KEYS);
    assert.deepEqual(s.push(Buffer.from('ls -l\r')), {
      forward: Buffer.from('ls -l\r'),
      detached: false,
    });
  });

  it('detaches on the sequence in one chunk, keeping what came before it', () => {
    const s = new DetachKeyScanner(DEFAULT_DETACH_KEYS);
    assert.deepEqual(s.push(bytes(0x61, 16, 17, 0x62)), { forward: bytes(0x61), detached: true });
  });

  it('detaches on a sequence split across chunks, holding its start back', () => {
    const s = new DetachKeyScanner(DEFAULT_DETACH_KEYS);
    assert.deepEqual(s.push(bytes(0x61, 16)), { forward: bytes(0x61), detached: false });
    assert.deepEqual(s.push(bytes(17)), { forward: bytes(), detached: true });
  });

  it('releases a held key when the next one does not continue the sequence', () => {
    const s = new DetachKeyScanner(DEFAULT_DETACH_KEYS);
    assert.deepEqual(s.push(bytes(16)), { forward: bytes(), detached: false });
    assert.deepEqual(s.push(bytes(0x78)), { forward: bytes(16, 0x78), detached: false });
    // As in the Docker CLI: a mismatch starts over after the byte that broke the sequence.
    assert.deepEqual(s.push(bytes(16, 16, 17)), { forward: bytes(16, 16, 17), detached: false });
  });

  it('works with longer custom sequences and gives held keys back at the end', () => {
    const s = new DetachKeyScanner(parseDetachKeys('ctrl-x,y,z'));
    assert.deepEqual(s.push(bytes(24, 0x79)), { forward: bytes(), detached: false });
    assert.deepEqual(s.flush(), bytes(24, 0x79));
    assert.deepEqual(s.push(bytes(24, 0x79, 0x7a)), { forward: bytes(), detached: true });
  });
});
