import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSignal, signalName } from './signal-name.js';

describe('parseSignal', () => {
  it('accepts the SIGTERM, TERM, term, 15 and "15" forms', () => {
    for (const form of ['SIGTERM', 'TERM', 'term', 'sigterm', 15, '15', ' 15 ']) {
      assert.equal(parseSignal(form), 15, String(form));
    }
    assert.equal(parseSignal('KILL'), 9);
    assert.equal(parseSignal('SIGHUP'), 1);
    assert.equal(parseSignal('usr1'), 10);
  });

  it('accepts real-time signals', () => {
    assert.equal(parseSignal('SIGRTMIN'), 34);
    assert.equal(parseSignal('RTMIN+3'), 37);
    assert.equal(parseSignal('SIGRTMAX-1'), 63);
    assert.equal(parseSignal(64), 64);
  });

  it('refuses unknown names, 0 and out-of-range numbers', () => {
    for (const bad of ['SIGNOPE', '', '0', 0, 65, -1, 1.5, 'RTMIN+40', 'RTMAX+1']) {
      assert.throws(() => parseSignal(bad), { kind: 'invalid-argument' }, String(bad));
    }
    assert.throws(() => parseSignal('NOPE'), { message: 'Invalid signal: NOPE' });
  });
});

describe('signalName', () => {
  it('names signals', () => {
    assert.equal(signalName(15), 'SIGTERM');
    assert.equal(signalName(9), 'SIGKILL');
    assert.equal(signalName(36), 'SIGRTMIN+2');
    assert.equal(signalName(99), '99');
  });
});
