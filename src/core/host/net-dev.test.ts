import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNetDev } from './net-dev.js';

const SAMPLE = [
  'Inter-|   Receive                                                |  Transmit',
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
  '    lo:  906495    2514    0    0    0     0          0         0   906495    2514    0    0    0     0       0          0',
  '  eth0: 1129836083   52240    1    2    0     0          0         0  5661147   44471    3    4    0     0       0          0',
  '',
].join('\n');

describe('parseNetDev', () => {
  it('reads the receive and transmit counters of each interface', () => {
    const counters = parseNetDev(SAMPLE);
    assert.deepEqual([...counters.keys()], ['lo', 'eth0']);
    assert.deepEqual(counters.get('eth0'), {
      rxBytes: 1129836083,
      rxPackets: 52240,
      rxErrors: 1,
      rxDropped: 2,
      txBytes: 5661147,
      txPackets: 44471,
      txErrors: 3,
      txDropped: 4,
    });
  });

  it('skips the headers and malformed lines', () => {
    assert.equal(parseNetDev('eth0: 1 2 3\nwlan0: a b c d e f g h i j k l m n o p\n').size, 0);
  });
});
