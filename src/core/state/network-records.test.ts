import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initialState, type ContainerRecord } from '../containers/container.js';
import type { NetworkRecord } from '../network/network.js';
import { ContainerRecords } from './container-records.js';
import { NetworkRecords } from './network-records.js';
import { SqliteStateStore } from './sqlite-store.js';

const NETWORK: NetworkRecord = {
  id: 'n'.repeat(64),
  name: 'amnet',
  created: '2026-11-23T00:00:00.000Z',
  driver: 'bridge',
  bridge: 'br-nnnnnnnnnnnn',
  subnet: '10.1.0.0/24',
  gateway: '10.1.0.1',
  internal: false,
  attachable: false,
  labels: { a: 'b' },
  options: {},
};

function container(id: string): ContainerRecord {
  return {
    id,
    name: `c-${id.slice(0, 4)}`,
    imageId: 'sha256:' + 'i'.repeat(64),
    driverId: id.slice(0, 32),
    created: '2026-11-23T00:00:00.000Z',
    path: 'true',
    args: [],
    config: { Image: 'busybox' },
    host: {
      autoRemove: false,
      networkMode: 'amnet',
      restartPolicy: { name: 'no', maximumRetryCount: 0 },
    },
    hostConfigDocument: {},
    state: initialState(),
  };
}

describe('NetworkRecords', () => {
  let dir: string;
  let store: SqliteStateStore;
  let networks: NetworkRecords;
  let containers: ContainerRecords;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-netrec-'));
    store = SqliteStateStore.open(join(dir, 'berth.db'));
    networks = new NetworkRecords(store.database);
    containers = new ContainerRecords(store.database);
    store.database
      .prepare(
        'INSERT INTO images (id, top_layer, parent, size, loaded_at) VALUES (?, NULL, NULL, 0, ?)',
      )
      .run('sha256:' + 'i'.repeat(64), '2026-11-23T00:00:00.000Z');
    networks.insertNetwork(NETWORK);
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a network as it was given', () => {
    assert.deepEqual(networks.networks(), [NETWORK]);
    networks.updateNetwork({ ...NETWORK, labels: {} });
    assert.deepEqual(networks.networks()[0]?.labels, {});
  });

  it('never records the same address twice on a network', () => {
    const a = container('a'.repeat(64));
    const b = container('b'.repeat(64));
    containers.insert(a);
    containers.insert(b);
    networks.putAttachment(a.id, NETWORK.id, { aliases: ['x'] });
    networks.putAttachment(b.id, NETWORK.id, {});
    const address = { ip: '10.1.0.2', mac: '02:42:0a:01:00:02', ports: [] };
    networks.setAddress(a.id, NETWORK.id, address);
    assert.throws(() => networks.setAddress(b.id, NETWORK.id, address), /UNIQUE constraint/);
    networks.setAddress(a.id, NETWORK.id, undefined);
    networks.setAddress(b.id, NETWORK.id, address);
    const got = networks.attachments().find((x) => x.containerId === b.id);
    assert.deepEqual(got, {
      containerId: b.id,
      networkId: NETWORK.id,
      config: {},
      ip: '10.1.0.2',
      mac: '02:42:0a:01:00:02',
      ports: [],
    });
  });

  it("forgets a container's attachments with the container, and a network's with it", () => {
    containers.delete('a'.repeat(64));
    assert.deepEqual(
      networks.attachments().map((x) => x.containerId),
      ['b'.repeat(64)],
    );
    networks.deleteNetwork(NETWORK.id);
    assert.deepEqual(networks.attachments(), []);
  });
});
