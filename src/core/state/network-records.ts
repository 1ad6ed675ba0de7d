import type Database from 'better-sqlite3';
import type { Attachment, EndpointConfig, NetworkRecord } from '../network/network.js';
import type { PortMapping } from '../network/ports.js';

interface NetworkRow {
  id: string;
  name: string;
  created: string;
  definition: string;
}

interface AttachmentRow {
  container_id: string;
  network_id: string;
  config: string;
  ip: string | null;
  mac: string | null;
  ports: string | null;
}

function toAttachment(r: AttachmentRow): Attachment {
  return {
    containerId: r.container_id,
    networkId: r.network_id,
    config: JSON.parse(r.config) as EndpointConfig,
    ...(r.ip !== null ? { ip: r.ip } : {}),
    ...(r.mac !== null ? { mac: r.mac } : {}),
    ...(r.ports !== null ? { ports: JSON.parse(r.ports) as PortMapping[] } : {}),
  };
}

/**
 * Networks and attachments in SQLite. An attachment's address is unique per network (an
 * index), so no address is handed out twice, also across restarts.
 */
export class NetworkRecords {
  constructor(private readonly db: Database.Database) {}

  networks(): NetworkRecord[] {
    return (this.db.prepare('SELECT * FROM networks').all() as NetworkRow[]).map(
      (r) =>
        ({
          ...(JSON.parse(r.definition) as object),
          id: r.id,
          name: r.name,
          created: r.created,
        }) as NetworkRecord,
    );
  }

  insertNetwork(n: NetworkRecord): void {
    const { id, name, created, ...definition } = n;
    this.db
      .prepare('INSERT INTO networks (id, name, created, definition) VALUES (?, ?, ?, ?)')
      .run(id, name, created, JSON.stringify(definition));
  }

  updateNetwork(n: NetworkRecord): void {
    const { id, name, created, ...definition } = n;
    this.db
      .prepare('UPDATE networks SET name = ?, created = ?, definition = ? WHERE id = ?')
      .run(name, created, JSON.stringify(definition), id);
  }

  deleteNetwork(id: string): void {
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
  }

  attachments(): Attachment[] {
    return (this.db.prepare('SELECT * FROM network_attachments').all() as AttachmentRow[]).map(
      toAttachment,
    );
  }

  /** Adds (or replaces the configuration of) a container's membership. */
  putAttachment(containerId: string, networkId: string, config: EndpointConfig): void {
    this.db
      .prepare(
        `INSERT INTO network_attachments (container_id, network_id, config) VALUES (?, ?, ?)
         ON CONFLICT (container_id, network_id) DO UPDATE SET config = excluded.config`,
      )
      .run(containerId, networkId, JSON.stringify(config));
  }

  /** Records the address a container got (throws on a duplicate address: the unique index). */
  setAddress(
    containerId: string,
    networkId: string,
    address: { ip: string; mac: string; ports: readonly PortMapping[] } | undefined,
  ): void {
    this.db
      .prepare(
        'UPDATE network_attachments SET ip = ?, mac = ?, ports = ? WHERE container_id = ? AND network_id = ?',
      )
      .run(
        address?.ip ?? null,
        address?.mac ?? null,
        address ? JSON.stringify(address.ports) : null,
        containerId,
        networkId,
      );
  }

  deleteAttachment(containerId: string, networkId: string): void {
    this.db
      .prepare('DELETE FROM network_attachments WHERE container_id = ? AND network_id = ?')
      .run(containerId, networkId);
  }
}
