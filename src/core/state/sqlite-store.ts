import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

/** The daemon's metadata store: one SQLite file (WAL) under the data root. */
export class SqliteStateStore {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(path: string, migrations: readonly Migration[] = MIGRATIONS): SqliteStateStore {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db, migrations);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteStateStore(db);
  }

  /** For the record classes of core/state only. */
  get database(): Database.Database {
    return this.#db;
  }

  get schemaVersion(): number {
    return this.#db.pragma('user_version', { simple: true }) as number;
  }

  getMeta(key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  /** Sets a value unless one is there; returns the value now stored. */
  initMeta(key: string, value: string): string {
    this.#db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value);
    return this.getMeta(key) as string;
  }

  close(): void {
    this.#db.close();
  }
}

function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(
      `the state database has schema version ${current}, newer than this berth knows (${newest}); refusing to touch it`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
