import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embeddedResolverOf, lookupScope } from './dns-scope.js';
import type { Attachment, NetworkRecord } from './network.js';

const net = (id: string, gateway: string, isDefault = false): NetworkRecord => ({
  id,
  name: id,
  created: '2026-01-01T00:00:00Z',
  driver: 'bridge',
  bridge: `br-${id}`,
  subnet: gateway.replace(/\.1$/, '.0/24'),
  gateway,
  internal: false,
  attachable: false,
  labels: {},
  options: {},
  ...(isDefault ? { isDefault } : {}),
});
const BRIDGE = net('bridge', '172.17.0.1', true);
const RED = net('red', '10.1.0.1');
const BLUE = net('blue', '10.2.0.1');
const NETWORKS = [BRIDGE, RED, BLUE];

const on = (containerId: string, networkId: string, ip?: string): Attachment => ({
  containerId,
  networkId,
  config: {},
  ...(ip ? { ip } : {}),
});

describe('lookupScope', () => {
  const named = new Set(['red', 'blue', 'gone']);
  const attachments = [
    on('a', 'red', '10.1.0.2'),
    on('a', 'blue', '10.2.0.2'),
    on('a', 'gone'),
    on('a', 'bridge', '172.17.0.2'),
    on('b', 'red', '10.1.0.3'),
    on('c', 'bridge', '172.17.0.3'),
  ];

  it("answers from the receiving network, then the asker's other user networks", () => {
    assert.deepEqual(lookupScope(attachments, named, 'red', '10.1.0.2'), [
      { networkId: 'red', from: '10.1.0.2' },
      { networkId: 'blue', from: '10.2.0.2' },
    ]);
    assert.deepEqual(lookupScope(attachments, named, 'blue', '10.2.0.2'), [
      { networkId: 'blue', from: '10.2.0.2' },
      { networkId: 'red', from: '10.1.0.2' },
    ]);
  });

  it('keeps a container on one network to that network', () => {
    assert.deepEqual(lookupScope(attachments, named, 'red', '10.1.0.3'), [
      { networkId: 'red', from: '10.1.0.3' },
    ]);
  });

  it("gives a container that asks another network's resolver its own networks only", () => {
    assert.deepEqual(lookupScope(attachments, named, 'blue', '10.1.0.3'), [
      { networkId: 'red', from: '10.1.0.3' },
    ]);
    // On the default bridge alone: no names at all (it has no name resolution).
    assert.deepEqual(lookupScope(attachments, named, 'red', '172.17.0.3'), []);
    assert.deepEqual(lookupScope(attachments, named, 'red', '172.17.0.2'), [
      { networkId: 'red', from: '10.1.0.2' },
      { networkId: 'blue', from: '10.2.0.2' },
    ]);
  });

  it('gives an address no container has (the host) the receiving network only', () => {
    assert.deepEqual(lookupScope(attachments, named, 'red', '10.1.0.1'), [
      { networkId: 'red', from: '10.1.0.1' },
    ]);
  });
});

describe('embeddedResolverOf', () => {
  it("is the primary user network's gateway, --dns or not", () => {
    assert.equal(
      embeddedResolverOf(RED, [on('a', 'red', '10.1.0.2')], NETWORKS, false),
      '10.1.0.1',
    );
    assert.equal(embeddedResolverOf(RED, [on('a', 'red', '10.1.0.2')], NETWORKS, true), '10.1.0.1');
  });

  it('is none on the default bridge alone', () => {
    assert.equal(
      embeddedResolverOf(BRIDGE, [on('a', 'bridge', '172.17.0.2')], NETWORKS, false),
      undefined,
    );
  });

  it('is the first connected user network with an address on the default bridge', () => {
    const a = [
      on('a', 'bridge', '172.17.0.2'),
      on('a', 'blue'),
      on('a', 'red', '10.1.0.2'),
      on('a', 'blue2', '10.9.0.2'),
    ];
    assert.equal(embeddedResolverOf(BRIDGE, a, NETWORKS, false), '10.1.0.1');
    assert.equal(embeddedResolverOf(BRIDGE, a, NETWORKS, true), undefined, '--dns kept');
  });
});
