import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { sha256Digest } from '../../core/images/image-config.js';
import {
  familiarRepository,
  familiarString,
  formatReference,
  isFullImageId,
  parseReference,
} from '../../core/images/reference.js';
import type { ImageEntry } from '../../core/images/image-views.js';
import type { ImageStore } from './image-store.js';

interface SaveItem {
  readonly entry: ImageEntry;
  /** The references the user named (normalised); none when named by ID. */
  readonly refs: string[];
}

const EPOCH = new Date(0);

function addFile(tar: Pack, name: string, content: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry({ name, mode: 0o644, mtime: EPOCH }, content, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

function addDir(tar: Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry({ name, type: 'directory', mode: 0o755, mtime: EPOCH }, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

/** Resolves the names to images, grouping several names of one image (as `docker save a b`). */
export function resolveSaveItems(store: ImageStore, names: readonly string[]): SaveItem[] {
  const items = new Map<string, SaveItem>();
  for (const name of names) {
    const { entry, byReference } = store.index.resolve(name);
    const item = items.get(entry.id) ?? { entry, refs: [] };
    if (byReference !== undefined && !isFullImageId(name)) {
      const ref = formatReference(parseReference(name));
      if (!item.refs.includes(ref)) item.refs.push(ref);
    }
    items.set(entry.id, item);
  }
  return [...items.values()];
}

/**
 * `docker save` as a docker-archive: `<v1>/layer.tar|VERSION|json` per layer, `<id>.json` per
 * config, `manifest.json` and `repositories`. Each layer.tar is the stored blob decompressed:
 * the same bytes its diff ID names, so a load of the archive gives the same image ID.
 */
export function saveImages(
  store: ImageStore,
  items: readonly SaveItem[],
  signal?: AbortSignal,
): Readable {
  const tar = pack();
  const out = new PassThrough();
  const write = async (): Promise<void> => {
    const written = new Set<string>();
    const manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const { entry, refs } of items) {
      const layerNames: string[] = [];
      let parentV1: string | undefined;
      for (const layer of entry.layers) {
        const v1 = sha256Digest(`${parentV1 ?? ''} ${layer.chainId}`).slice(7);
        layerNames.push(`${v1}/layer.tar`);
        if (!written.has(v1)) {
          written.add(v1);
          await addDir(tar, `${v1}/`);
          await addFile(tar, `${v1}/VERSION`, '1.0');
          await addFile(
            tar,
            `${v1}/json`,
            JSON.stringify({
              id: v1,
              ...(parentV1 ? { parent: parentV1 } : {}),
              created: EPOCH.toISOString(),
              container_config: {},
              os: entry.config.os,
            }),
          );
          const stream = tar.entry({
            name: `${v1}/layer.tar`,
            size: layer.diffSize,
            mode: 0o644,
            mtime: EPOCH,
          });
          await pipeline(store.layers.openDiff(layer), stream, { signal });
        }
        parentV1 = v1;
      }
      const configName = `${entry.id.slice(7)}.json`;
      const configChunks: Buffer[] = [];
      for await (const chunk of store.blobs.read(entry.id)) configChunks.push(chunk as Buffer);
      await addFile(tar, configName, Buffer.concat(configChunks));
      const tags = refs
        .map((r) => parseReference(r, { defaultTag: null }))
        .filter((r) => r.tag !== undefined);
      manifest.push({
        Config: configName,
        RepoTags: tags.length > 0 ? tags.map(familiarString) : null,
        Layers: layerNames,
      });
      for (const ref of tags) {
        const repo = familiarRepository(ref);
        repositories[repo] = { ...(repositories[repo] ?? {}), [ref.tag as string]: parentV1 ?? '' };
      }
    }
    await addFile(tar, 'manifest.json', JSON.stringify(manifest));
    if (Object.keys(repositories).length > 0)
      await addFile(tar, 'repositories', JSON.stringify(repositories));
    tar.finalize();
  };
  pipeline(tar, out).catch((err: unknown) => out.destroy(err as Error));
  write().catch((err: unknown) => {
    tar.destroy(err as Error);
    out.destroy(err as Error);
  });
  return out;
}
