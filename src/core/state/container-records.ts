import type Database from 'better-sqlite3';
import type { ContainerRecord, ContainerState } from '../containers/container.js';
import { initLayerId } from '../containers/init-layer.js';

interface Row {
  id: string;
  name: string;
  image_id: string;
  driver_id: string;
  created: string;
  definition: string;
  state: string;
}

type Definition = Pick<ContainerRecord, 'path' | 'args' | 'config' | 'host' | 'hostConfigDocument'>;

function toRecord(row: Row): ContainerRecord {
  const definition = JSON.parse(row.definition) as Definition;
  return {
    id: row.id,
    name: row.name,
    imageId: row.image_id,
    driverId: row.driver_id,
    created: row.created,
    ...definition,
    state: JSON.parse(row.state) as ContainerState,
  };
}

/** Containers in SQLite: the immutable definition and the mutable state, one row each. */
export class ContainerRecords {
  constructor(private readonly db: Database.Database) {}

  all(): ContainerRecord[] {
    return (this.db.prepare('SELECT * FROM containers').all() as Row[]).map(toRecord);
  }

  insert(record: ContainerRecord): void {
    const definition: Definition = {
      path: record.path,
      args: record.args,
      config: record.config,
      host: record.host,
      hostConfigDocument: record.hostConfigDocument,
    };
    this.db
      .prepare(
        'INSERT INTO containers (id, name, image_id, driver_id, created, definition, state) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        record.id,
        record.name,
        record.imageId,
        record.driverId,
        record.created,
        JSON.stringify(definition),
        JSON.stringify(record.state),
      );
  }

  setState(id: string, state: ContainerState): void {
    this.db.prepare('UPDATE containers SET state = ? WHERE id = ?').run(JSON.stringify(state), id);
  }

  /** Replaces the host settings and the HostConfig document (docker update). */
  setHost(id: string, record: ContainerRecord): void {
    const definition: Definition = {
      path: record.path,
      args: record.args,
      config: record.config,
      host: record.host,
      hostConfigDocument: record.hostConfigDocument,
    };
    this.db
      .prepare('UPDATE containers SET definition = ? WHERE id = ?')
      .run(JSON.stringify(definition), id);
  }

  rename(id: string, name: string): void {
    this.db.prepare('UPDATE containers SET name = ? WHERE id = ?').run(name, id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }

  /** Driver layer ids of every container's writable and init layers (kept by garbage collection). */
  driverIds(): Set<string> {
    return new Set(
      (
        this.db.prepare('SELECT driver_id FROM containers').all() as { driver_id: string }[]
      ).flatMap((r) => [r.driver_id, initLayerId(r.driver_id)]),
    );
  }
}
