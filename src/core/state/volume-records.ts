import type Database from 'better-sqlite3';
import type { MountPoint } from '../volumes/mount-spec.js';

/** A volume as the engine keeps it. */
export interface VolumeRecord {
  readonly name: string;
  readonly driver: string;
  /** RFC 3339, seconds. */
  readonly createdAt: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
}

interface VolumeRow {
  name: string;
  driver: string;
  created_at: string;
  labels: string;
  options: string;
}

function toVolume(row: VolumeRow): VolumeRecord {
  return {
    name: row.name,
    driver: row.driver,
    createdAt: row.created_at,
    labels: JSON.parse(row.labels) as Record<string, string>,
    options: JSON.parse(row.options) as Record<string, string>,
  };
}

/** Volumes and the mounts of containers in SQLite (a mount of a volume is its reference). */
export class VolumeRecords {
  constructor(private readonly db: Database.Database) {}

  allVolumes(): VolumeRecord[] {
    return (this.db.prepare('SELECT * FROM volumes ORDER BY name').all() as VolumeRow[]).map(
      toVolume,
    );
  }

  insertVolume(v: VolumeRecord): void {
    this.db
      .prepare(
        'INSERT INTO volumes (name, driver, created_at, labels, options) VALUES (?, ?, ?, ?, ?)',
      )
      .run(v.name, v.driver, v.createdAt, JSON.stringify(v.labels), JSON.stringify(v.options));
  }

  deleteVolume(name: string): void {
    this.db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
  }

  /** Every container's mounts, by container ID. */
  allMounts(): Map<string, MountPoint[]> {
    const rows = this.db
      .prepare('SELECT container_id, definition FROM container_mounts ORDER BY destination')
      .all() as { container_id: string; definition: string }[];
    const out = new Map<string, MountPoint[]>();
    for (const r of rows) {
      const list = out.get(r.container_id) ?? [];
      list.push(JSON.parse(r.definition) as MountPoint);
      out.set(r.container_id, list);
    }
    return out;
  }

  /** Replaces a container's mounts, in one transaction. */
  setMounts(containerId: string, mounts: readonly MountPoint[]): void {
    const remove = this.db.prepare('DELETE FROM container_mounts WHERE container_id = ?');
    const insert = this.db.prepare(
      'INSERT INTO container_mounts (container_id, destination, volume_name, definition) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      remove.run(containerId);
      for (const m of mounts)
        insert.run(
          containerId,
          m.destination,
          m.type === 'volume' ? m.name : null,
          JSON.stringify(m),
        );
    })();
  }
}
