// Builds image archives in memory for tests: docker-archive or OCI layout, from small layer
// descriptions. Also reads archives back, to check what `save` produced against the format.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;
import { REPO } from './daemon.js';

export type LayerEntry =
  | { name: string; content: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { name: string; type: 'directory'; mode?: number }
  | { name: string; type: 'symlink'; linkname: string };

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export async function tarOf(
  entries: readonly { header: Headers; body?: Buffer }[],
): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) =>
      p.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function layerTar(entries: readonly LayerEntry[]): Promise<Buffer> {
  return tarOf(
    entries.map((e) => {
      const mtime = new Date(1_700_000_000_000);
      if ('content' in e) {
        const body = Buffer.from(e.content);
        return {
          header: {
            name: e.name,
            size: body.length,
            mode: e.mode ?? 0o644,
            uid: e.uid ?? 0,
            gid: e.gid ?? 0,
            mtime,
          },
          body,
        };
      }
      if (e.type === 'directory')
        return { header: { name: e.name, type: 'directory', mode: e.mode ?? 0o755, mtime } };
      return { header: { name: e.name, type: 'symlink', linkname: e.linkname, mtime } };
    }),
  );
}

export interface BuiltImage {
  readonly archive: Buffer;
  readonly id: string;
  readonly diffIds: string[];
  readonly config: Buffer;
}

export async function buildImage(
  layers: readonly (readonly LayerEntry[])[],
  options: {
    tags?: string[];
    format?: 'docker' | 'oci';
    gzip?: boolean;
    cmd?: string[];
    created?: string;
  } = {},
): Promise<BuiltImage> {
  const tars = await Promise.all(layers.map((l) => layerTar(l)));
  const diffIds = tars.map((t) => `sha256:${sha(t)}`);
  const created = options.created ?? '2026-01-01T00:00:00Z';
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created,
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: options.cmd ?? ['sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: tars.map((_, i) => ({ created, created_by: `layer ${i}` })),
    }),
  );
  const id = `sha256:${sha(config)}`;
  const entries: { header: Headers; body?: Buffer }[] = [];
  if ((options.format ?? 'docker') === 'docker') {
    tars.forEach((t, i) =>
      entries.push({
        header: { name: `${(diffIds[i] as string).slice(7)}/layer.tar`, size: t.length },
        body: t,
      }),
    );
    entries.push({ header: { name: `${id.slice(7)}.json`, size: config.length }, body: config });
    const manifest = Buffer.from(
      JSON.stringify([
        {
          Config: `${id.slice(7)}.json`,
          RepoTags: options.tags ?? null,
          Layers: diffIds.map((d) => `${d.slice(7)}/layer.tar`),
        },
      ]),
    );
    entries.push({ header: { name: 'manifest.json', size: manifest.length }, body: manifest });
  } else {
    const blobs = tars.map((t) => (options.gzip ? gzipSync(t) : t));
    const layerDescriptors = blobs.map((b) => ({
      mediaType: options.gzip
        ? 'application/vnd.oci.image.layer.v1.tar+gzip'
        : 'application/vnd.oci.image.layer.v1.tar',
      digest: `sha256:${sha(b)}`,
      size: b.length,
    }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: id,
          size: config.length,
        },
        layers: layerDescriptors,
      }),
    );
    const tag = options.tags?.[0];
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${sha(manifest)}`,
            size: manifest.length,
            ...(tag
              ? {
                  annotations: {
                    'io.containerd.image.name': tag,
                    'org.opencontainers.image.ref.name': tag.split(':').at(-1),
                  },
                }
              : {}),
          },
        ],
      }),
    );
    const layout = Buffer.from('{"imageLayoutVersion":"1.0.0"}');
    entries.push({ header: { name: 'oci-layout', size: layout.length }, body: layout });
    entries.push({ header: { name: 'index.json', size: index.length }, body: index });
    for (const b of [...blobs, config, manifest])
      entries.push({ header: { name: `blobs/sha256/${sha(b)}`, size: b.length }, body: b });
  }
  return { archive: await tarOf(entries), id, diffIds, config };
}

/** The files of a tar, by name. */
export async function readTar(
  archive: Buffer,
): Promise<Map<string, { header: Header; body: Buffer }>> {
  const out = new Map<string, { header: Header; body: Buffer }>();
  const x = extract();
  const reading = (async () => {
    for await (const entry of x) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.set(entry.header.name, { header: entry.header, body: Buffer.concat(chunks) });
    }
  })();
  x.end(archive);
  await reading;
  return out;
}

export function sha256Hex(data: Buffer | string): string {
  return sha(data);
}

/** The offline busybox image (built by scripts/build-busybox-image.mjs; built here if missing). */
export function busyboxArchive(): string {
  const path = join(REPO, 'dist/images/busybox.tar');
  if (!existsSync(path))
    execFileSync(process.execPath, [join(REPO, 'scripts/build-busybox-image.mjs'), path]);
  return path;
}
