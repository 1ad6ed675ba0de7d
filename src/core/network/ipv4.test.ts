import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contains,
  formatIp,
  formatSubnet,
  macOf,
  overlaps,
  parseCidr,
  parseIp,
  parseSubnet,
} from './ipv4.js';

describe('ipv4', () => {
  it('parses and formats addresses', () => {
    assert.equal(parseIp('172.17.0.2'), 0xac110002);
    assert.equal(formatIp(0xac110002), '172.17.0.2');
    assert.equal(formatIp(parseIp('255.255.255.255') as number), '255.255.255.255');
    for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d', '1.2.3.4 ', ''])
      assert.equal(parseIp(bad), undefined, bad);
  });

  it('parses CIDRs, keeping or clearing the host bits', () => {
    assert.deepEqual(parseCidr('10.0.0.1/24'), { ip: 0x0a000001, bits: 24 });
    assert.equal(parseCidr('10.0.0.1/33'), undefined);
    assert.equal(parseCidr('10.0.0.1'), undefined);
    assert.equal(formatSubnet(parseSubnet('10.99.3.7/16')), '10.99.0.0/16');
    assert.throws(() => parseSubnet('nope'), { message: 'invalid subnet: nope' });
  });

  it('tells containment and overlap', () => {
    const a = parseSubnet('172.18.0.0/16');
    assert.ok(contains(a, parseIp('172.18.255.1') as number));
    assert.ok(!contains(a, parseIp('172.19.0.1') as number));
    assert.ok(overlaps(a, parseSubnet('172.18.4.0/24')));
    assert.ok(overlaps(parseSubnet('172.0.0.0/8'), a));
    assert.ok(!overlaps(a, parseSubnet('172.19.0.0/16')));
    assert.ok(overlaps(parseSubnet('0.0.0.0/0'), a));
  });

  it("derives Docker's MAC from the address", () => {
    assert.equal(macOf(parseIp('172.17.0.2') as number), '02:42:ac:11:00:02');
  });
});
