import type { Readable } from 'node:stream';
import { invalidArgument, isBerthError } from '../../core/errors.js';
import { parseImageConfig } from '../../core/images/image-config.js';
import { familiarString, formatReference, parseReference } from '../../core/images/reference.js';
import type { Progress } from '../../core/progress.js';
import { ArchiveSpool } from './archive-spool.js';
import type { ImageStore, NewImage } from './image-store.js';

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
  annotations?: Record<string, string>;
}

const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

function blobPath(digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest))
    throw invalidArgument(`invalid digest ${JSON.stringify(digest)} in the archive`);
  return `blobs/sha256/${digest.slice(7)}`;
}

function normaliseTags(tags: readonly string[]): string[] {
  return tags.map((t) => formatReference(parseReference(t)));
}

async function dockerArchiveImages(spool: ArchiveSpool): Promise<NewImage[]> {
  const manifest = await spool.readJson<unknown>('manifest.json');
  if (!Array.isArray(manifest)) throw invalidArgument('manifest.json must be an array');
  const images: NewImage[] = [];
  for (const raw of manifest as DockerManifestEntry[]) {
    if (typeof raw?.Config !== 'string' || !Array.isArray(raw.Layers)) {
      throw invalidArgument('manifest.json entries need Config and Layers');
    }
    const configBytes = await spool.readBytes(raw.Config);
    const config = parseImageConfig(configBytes);
    images.push({
      configBytes,
      refs: normaliseTags(raw.RepoTags ?? []),
      layers: raw.Layers.map((name, i) => {
        const diffId = config.rootfs.diff_ids[i] ?? '';
        return { file: spool.path(name), diffId, label: diffId.slice(7, 19) };
      }),
    });
  }
  return images;
}

async function ociManifests(
  spool: ArchiveSpool,
  list: readonly Descriptor[],
  depth = 0,
): Promise<{ manifest: Descriptor; name?: string }[]> {
  const out: { manifest: Descriptor; name?: string }[] = [];
  for (const d of list) {
    const name =
      d.annotations?.['io.containerd.image.name'] ??
      d.annotations?.['org.opencontainers.image.ref.name'];
    if (d.mediaType !== undefined && INDEX_TYPES.includes(d.mediaType)) {
      if (depth > 2) throw invalidArgument('the archive nests image indexes too deeply');
      const nested = await spool.readJson<{ manifests?: Descriptor[] }>(blobPath(d.digest));
      const chosen = (nested.manifests ?? []).filter(
        (m) =>
          m.platform === undefined ||
          (m.platform.os === 'linux' && m.platform.architecture === 'amd64'),
      );
      for (const m of await ociManifests(spool, chosen.slice(0, 1), depth + 1))
        out.push({ manifest: m.manifest, name: m.name ?? name });
    } else {
      out.push({ manifest: d, name });
    }
  }
  return out;
}

/** A tag in an OCI ref-name annotation: a full reference (as containerd writes it) or ignored. */
function refFromAnnotation(name: string | undefined): string[] {
  if (name === undefined) return [];
  try {
    const ref = parseReference(name, { defaultTag: null });
    return ref.tag !== undefined && name.includes(':') ? [formatReference(ref)] : [];
  } catch (err) {
    if (isBerthError(err, 'invalid-argument')) return [];
    throw err;
  }
}

async function ociLayoutImages(spool: ArchiveSpool): Promise<NewImage[]> {
  const index = await spool.readJson<{ manifests?: Descriptor[] }>('index.json');
  const images: NewImage[] = [];
  for (const { manifest, name } of await ociManifests(spool, index.manifests ?? [])) {
    const m = await spool.readJson<{ config?: Descriptor; layers?: Descriptor[] }>(
      blobPath(manifest.digest),
    );
    if (!m.config || !Array.isArray(m.layers))
      throw invalidArgument(`manifest ${manifest.digest} has no config or layers`);
    const configBytes = await spool.readBytes(blobPath(m.config.digest));
    const config = parseImageConfig(configBytes);
    images.push({
      configBytes,
      refs: refFromAnnotation(name),
      layers: m.layers.map((l, i) => {
        const diffId = config.rootfs.diff_ids[i] ?? '';
        return {
          file: spool.path(blobPath(l.digest)),
          diffId,
          blobDigest: l.digest,
          label: l.digest.slice(7, 19),
        };
      }),
    });
  }
  return images;
}

/** `docker load`: a docker-archive or OCI layout tar, one or more images. */
export async function* loadImages(
  store: ImageStore,
  source: Readable,
  signal?: AbortSignal,
): AsyncGenerator<Progress> {
  const dir = store.newWorkDir('load');
  try {
    const spool = await ArchiveSpool.unpack(source, dir, signal);
    let images: NewImage[];
    if (spool.has('manifest.json')) images = await dockerArchiveImages(spool);
    else if (spool.has('index.json')) images = await ociLayoutImages(spool);
    else
      throw invalidArgument(
        'the archive is neither a docker-archive (manifest.json) nor an OCI layout (index.json)',
      );
    for (const image of images) {
      const { entry, moved } = yield* store.addImage(image, signal);
      for (const [ref, oldId] of moved) {
        const name = familiarString(parseReference(ref));
        yield {
          stream: `The image ${name} already exists, renaming the old one with ID ${oldId} to empty string\n`,
        };
      }
      store.events.publish({
        type: 'image',
        action: 'load',
        actor: { id: entry.id, attributes: { name: entry.id } },
      });
      if (image.refs.length === 0) {
        yield { stream: `Loaded image ID: ${entry.id}\n` };
      }
      for (const ref of image.refs)
        yield { stream: `Loaded image: ${familiarString(parseReference(ref))}\n` };
    }
  } finally {
    await store.removeWorkDir(dir);
  }
}
