import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcStat } from './system-cpu.js';

describe('parseProcStat', () => {
  it('sums the first seven counters of the cpu line, in nanoseconds, and counts the CPUs', () => {
    const text = [
      'cpu  100 1 50 800 10 2 3 7 0 0',
      'cpu0 50 1 25 400 5 1 1 3 0 0',
      'cpu1 50 0 25 400 5 1 2 4 0 0',
      'intr 12345 0 0',
      'ctxt 999',
      '',
    ].join('\n');
    // 100+1+50+800+10+2+3 ticks; steal (7) is left out.
    assert.deepEqual(parseProcStat(text), { totalNs: 966 * 10_000_000, onlineCpus: 2 });
  });

  it('is zero for text without a cpu line', () => {
    assert.deepEqual(parseProcStat(''), { totalNs: 0, onlineCpus: 0 });
  });
});
