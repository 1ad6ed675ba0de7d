import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { candidateSubnets, checkStatic, chooseSubnet, makePool, nextFree } from './ipam.js';
import { formatIp, formatSubnet, parseIp, parseSubnet } from './ipv4.js';

describe('chooseSubnet', () => {
  it("walks Docker's pools, skipping any that overlap a route or network", () => {
    assert.equal(candidateSubnets().length, 31);
    assert.equal(formatSubnet(chooseSubnet([]) as never), '172.17.0.0/16');
    const used = [parseSubnet('172.17.0.0/16'), parseSubnet('172.18.5.0/24')];
    assert.equal(formatSubnet(chooseSubnet(used) as never), '172.19.0.0/16');
    assert.equal(
      formatSubnet(chooseSubnet([parseSubnet('172.16.0.0/12')]) as never),
      '192.168.0.0/20',
    );
  });

  it('starts at an offset and wraps', () => {
    assert.equal(formatSubnet(chooseSubnet([], 15) as never), '192.168.0.0/20');
    assert.equal(formatSubnet(chooseSubnet([], 31) as never), '172.17.0.0/16');
  });

  it('gives nothing when every pool is taken', () => {
    assert.equal(chooseSubnet([parseSubnet('0.0.0.0/0')]), undefined);
  });
});

describe('pools', () => {
  it('defaults the gateway to the first address and the range to the subnet', () => {
    const p = makePool({ subnet: '10.1.0.0/24' });
    assert.equal(formatIp(p.gateway), '10.1.0.1');
    assert.equal(formatSubnet(p.range), '10.1.0.0/24');
  });

  it('refuses a gateway or range outside the subnet', () => {
    assert.throws(() => makePool({ subnet: '10.1.0.0/24', gateway: '10.2.0.1' }), {
      message: 'no matching subnet for gateway 10.2.0.1',
    });
    assert.throws(() => makePool({ subnet: '10.1.0.0/24', ipRange: '10.1.1.0/25' }), {
      message: 'no matching subnet for range 10.1.1.0/25',
    });
    assert.throws(() => makePool({ subnet: '10.1.0.0/24', gateway: 'x' }), {
      message: 'invalid gateway address x',
    });
    assert.throws(() => makePool({ subnet: '10.1.0.0/31' }), /too small/);
  });

  it('hands out the lowest free address, never the network, broadcast or gateway', () => {
    const p = makePool({ subnet: '10.1.0.0/30' });
    assert.equal(formatIp(nextFree(p, new Set())), '10.1.0.2');
    assert.throws(
      () => nextFree(p, new Set([parseIp('10.1.0.2') as number])),
      (err: Error) => /no available IPv4 addresses/.test(err.message),
    );
    const g = makePool({ subnet: '10.1.0.0/24', gateway: '10.1.0.2' });
    assert.equal(formatIp(nextFree(g, new Set())), '10.1.0.1');
  });

  it('allocates from the ip-range only', () => {
    const p = makePool({ subnet: '10.1.0.0/16', ipRange: '10.1.5.0/24' });
    assert.equal(formatIp(nextFree(p, new Set())), '10.1.5.0');
    assert.equal(formatIp(nextFree(p, new Set([parseIp('10.1.5.0') as number]))), '10.1.5.1');
  });

  it('checks static addresses', () => {
    const p = makePool({ subnet: '10.1.0.0/24' });
    assert.equal(formatIp(checkStatic(p, '10.1.0.9', new Set())), '10.1.0.9');
    assert.throws(() => checkStatic(p, '10.1.0.1', new Set()), /no configured subnet/);
    assert.throws(() => checkStatic(p, '10.2.0.9', new Set()), /no configured subnet/);
    assert.throws(() => checkStatic(p, 'x', new Set()), { message: 'invalid IPv4 address: x' });
    assert.throws(() => checkStatic(p, '10.1.0.9', new Set([parseIp('10.1.0.9') as number])), {
      message: 'Address already in use: 10.1.0.9',
    });
  });
});
