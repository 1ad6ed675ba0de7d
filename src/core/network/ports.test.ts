import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPortBindings,
  clashes,
  EPHEMERAL_HIGH,
  EPHEMERAL_LOW,
  parsePortKey,
  portRequests,
} from './ports.js';

describe('ports', () => {
  it('parses port keys', () => {
    assert.deepEqual(parsePortKey('80/tcp'), { port: 80, proto: 'tcp' });
    assert.deepEqual(parsePortKey('53/udp'), { port: 53, proto: 'udp' });
    assert.deepEqual(parsePortKey('8080'), { port: 8080, proto: 'tcp' });
    for (const bad of ['0/tcp', '70000', 'x/tcp', '80/icmp'])
      assert.throws(() => parsePortKey(bad), { message: `invalid port specification: "${bad}"` });
  });

  it('turns bindings into requests: fixed, ranges, ephemeral', () => {
    const r = portRequests(
      {
        '80/tcp': [{ hostIp: '127.0.0.1', hostPort: '18080' }],
        '81/tcp': [{ hostIp: '', hostPort: '9000-9010' }],
        '82/udp': [{ hostIp: '', hostPort: '' }],
        '83/tcp': [],
      },
      [],
      false,
    );
    assert.deepEqual(r, [
      { containerPort: 80, proto: 'tcp', hostIp: '127.0.0.1', low: 18080, high: 18080 },
      { containerPort: 81, proto: 'tcp', hostIp: '0.0.0.0', low: 9000, high: 9010 },
      {
        containerPort: 82,
        proto: 'udp',
        hostIp: '0.0.0.0',
        low: EPHEMERAL_LOW,
        high: EPHEMERAL_HIGH,
      },
      {
        containerPort: 83,
        proto: 'tcp',
        hostIp: '0.0.0.0',
        low: EPHEMERAL_LOW,
        high: EPHEMERAL_HIGH,
      },
    ]);
  });

  it('publishes every exposed port not bound with -P', () => {
    const r = portRequests(
      { '80/tcp': [{ hostIp: '', hostPort: '8080' }] },
      ['80/tcp', '443/tcp'],
      true,
    );
    assert.deepEqual(
      r.map((x) => [x.containerPort, x.low]),
      [
        [80, 8080],
        [443, EPHEMERAL_LOW],
      ],
    );
    assert.deepEqual(portRequests({}, ['443/tcp'], false), []);
  });

  it('refuses bad bindings', () => {
    assert.throws(() => checkPortBindings({ '80/tcp': [{ hostIp: 'nope', hostPort: '1' }] }), {
      message: 'invalid IP address: nope',
    });
    assert.throws(() => checkPortBindings({ '80/tcp': [{ hostIp: '', hostPort: '9-1' }] }), {
      message: 'invalid port specification: "9-1"',
    });
    assert.throws(() => checkPortBindings({ 'x/tcp': [] }), /invalid port specification/);
  });

  it('tells clashing host ports apart', () => {
    const m = (hostIp: string, hostPort: number, proto: 'tcp' | 'udp' = 'tcp') => ({
      containerPort: 80,
      proto,
      hostIp,
      hostPort,
    });
    assert.ok(clashes(m('0.0.0.0', 80), m('127.0.0.1', 80)));
    assert.ok(clashes(m('127.0.0.1', 80), m('127.0.0.1', 80)));
    assert.ok(!clashes(m('127.0.0.1', 80), m('127.0.0.2', 80)));
    assert.ok(!clashes(m('0.0.0.0', 80), m('0.0.0.0', 80, 'udp')));
    assert.ok(!clashes(m('0.0.0.0', 80), m('0.0.0.0', 81)));
  });
});
