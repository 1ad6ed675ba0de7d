// Ordered schema migrations. Append only: a migration that has shipped is never edited.

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'daemon metadata',
    sql: `CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;`,
  },
  {
    version: 2,
    description: 'layers, images and their references',
    sql: `
      CREATE TABLE layers (
        chain_id TEXT PRIMARY KEY NOT NULL,
        diff_id TEXT NOT NULL,
        parent TEXT REFERENCES layers(chain_id),
        driver_id TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        diff_size INTEGER NOT NULL,
        blob_digest TEXT NOT NULL,
        blob_compression TEXT NOT NULL CHECK (blob_compression IN ('none', 'gzip', 'zstd')),
        blob_size INTEGER NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE images (
        id TEXT PRIMARY KEY NOT NULL,
        top_layer TEXT REFERENCES layers(chain_id),
        parent TEXT,
        size INTEGER NOT NULL,
        loaded_at TEXT NOT NULL,
        last_tag_time TEXT
      ) STRICT;
      CREATE TABLE image_refs (
        ref TEXT PRIMARY KEY NOT NULL,
        image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX image_refs_by_image ON image_refs(image_id);
    `,
  },
  {
    version: 3,
    description: 'containers',
    sql: `
      CREATE TABLE containers (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL UNIQUE,
        image_id TEXT NOT NULL REFERENCES images(id),
        driver_id TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        definition TEXT NOT NULL,
        state TEXT NOT NULL
      ) STRICT;
      CREATE INDEX containers_by_image ON containers(image_id);
    `,
  },
  {
    version: 5,
    description: 'volumes and the mounts of containers',
    sql: `
      CREATE TABLE volumes (
        name TEXT PRIMARY KEY NOT NULL,
        driver TEXT NOT NULL,
        created_at TEXT NOT NULL,
        labels TEXT NOT NULL,
        options TEXT NOT NULL
      ) STRICT;
      CREATE TABLE container_mounts (
        container_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        volume_name TEXT,
        definition TEXT NOT NULL,
        PRIMARY KEY (container_id, destination)
      ) STRICT;
      CREATE INDEX container_mounts_by_volume ON container_mounts(volume_name);
    `,
  },
  {
    version: 6,
    description: 'networks and the containers attached to them',
    sql: `
      CREATE TABLE networks (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        definition TEXT NOT NULL
      ) STRICT;
      CREATE TABLE network_attachments (
        container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
        network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        config TEXT NOT NULL,
        ip TEXT,
        mac TEXT,
        ports TEXT,
        PRIMARY KEY (container_id, network_id)
      ) STRICT;
      CREATE UNIQUE INDEX network_attachments_by_ip ON network_attachments(network_id, ip)
        WHERE ip IS NOT NULL;
    `,
  },
];
