// `docker push`: for each tag, every layer blob is checked with HEAD (already there), mounted
// from another repository of the same registry that has it, or uploaded (monolithic when small,
// in chunks otherwise); then the config and a schema 2 manifest (OCI when a layer is zstd) are
// put, and the manifest's digest is recorded as a RepoDigest. Layers kept uncompressed (load,
// import, commit) go up gzip-compressed, as Docker sends them; the others as they are.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { hasErrno, notFound, invalidArgument } from '../../core/errors.js';
import { sha256Digest } from '../../core/images/image-config.js';
import type { ImageEntry } from '../../core/images/image-views.js';
import {
  familiarRepository,
  familiarString,
  parseReference,
  repositoryName,
  type Reference,
} from '../../core/images/reference.js';
import type { Progress } from '../../core/progress.js';
import type { Credentials } from '../../core/registry/auth-config.js';
import { MEDIA_TYPES } from '../../core/registry/manifest.js';
import { repositoryScope, type RegistryClient } from '../../core/registry/registry-client.js';
import type { Compression, LayerRecord } from '../../core/state/image-records.js';
import { ProgressQueue } from '../../lib/progress-queue.js';
import type { Semaphore } from '../../lib/semaphore.js';
import type { ImageStore } from '../images/image-store.js';
import { connectRegistry, registryError, type DistributionSettings } from './registry-access.js';

export interface PushRequest {
  /** The repository (maybe with a tag) from the path. */
  readonly name: string;
  /** `tag`: empty pushes every tag of the repository. */
  readonly tag: string;
  readonly credentials: Credentials;
  readonly signal?: AbortSignal;
}

export interface PushDeps {
  readonly store: ImageStore;
  readonly settings: () => DistributionSettings;
  /** The daemon-wide bound on concurrent layer uploads (--max-concurrent-uploads). */
  readonly uploads: Semaphore;
  /** Uncompressed blob digest → its gzip form, as pushed before (so a re-push can HEAD it). */
  readonly compressed: Map<string, { digest: string; size: number }>;
}

/** A layer blob as it goes to the registry. */
export interface PushBlob {
  readonly digest: string;
  readonly size: number;
  readonly compression: Compression;
}

/** Blobs above this size go up in PATCH chunks of this size; smaller ones in one PUT. */
export const CHUNK_SIZE = 8 * 1024 * 1024;
const PROGRESS_STEP = 512 * 1024;

function layerMediaType(blob: PushBlob, oci: boolean): string {
  if (blob.compression === 'zstd') return MEDIA_TYPES.ociLayerZstd;
  if (blob.compression === 'gzip')
    return oci ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.dockerLayerGzip;
  return oci ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.dockerLayer;
}

/** The manifest of an image whose layers went up as `blobs` (bottom to top). */
export function buildManifest(
  entry: ImageEntry,
  blobs: readonly PushBlob[],
): { bytes: Buffer; mediaType: string } {
  const oci = blobs.some((b) => b.compression === 'zstd');
  const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig,
      size: entry.configSize,
      digest: entry.id,
    },
    layers: blobs.map((b) => ({
      mediaType: layerMediaType(b, oci),
      size: b.size,
      digest: b.digest,
    })),
  };
  return { bytes: Buffer.from(JSON.stringify(manifest, null, 3)), mediaType };
}

/** The tags to push: the one named, or every tag of the repository. */
function pushTargets(store: ImageStore, ref: Reference): { ref: Reference; entry: ImageEntry }[] {
  const repo = repositoryName(ref);
  const out: { ref: Reference; entry: ImageEntry }[] = [];
  for (const entry of store.index.all()) {
    for (const r of entry.refs) {
      if (r.includes('@')) continue;
      const parsed = parseReference(r);
      if (repositoryName(parsed) !== repo) continue;
      if (ref.tag !== undefined && parsed.tag !== ref.tag) continue;
      out.push({ ref: parsed, entry });
    }
  }
  if (out.length === 0) {
    throw notFound(`An image does not exist locally with the tag: ${familiarRepository(ref)}`);
  }
  return out.sort((a, b) => (a.ref.tag ?? '').localeCompare(b.ref.tag ?? ''));
}

/** Another repository of the same registry whose images hold this layer: a mount candidate. */
function mountSource(store: ImageStore, ref: Reference, diffId: string): string | undefined {
  for (const entry of store.index.all()) {
    if (!entry.layers.some((l) => l.diffId === diffId)) continue;
    for (const r of entry.refs) {
      const other = parseReference(r, { defaultTag: null });
      if (other.domain === ref.domain && other.path !== ref.path) return other.path;
    }
  }
  return undefined;
}

function counting(onBytes: (n: number) => void): Transform {
  let done = 0;
  let reported = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      if (done - reported >= PROGRESS_STEP) {
        reported = done;
        onBytes(done);
      }
      cb(null, chunk);
    },
  });
}

interface Upload {
  readonly client: RegistryClient;
  /** The blob's bytes. */
  readonly file: string;
  readonly repo: string;
  readonly scopes: readonly string[];
  readonly location: string;
  readonly digest: string;
  readonly size: number;
  readonly onBytes: (n: number) => void;
}

async function uploadBlob(u: Upload): Promise<void> {
  const file = u.file;
  if (u.size <= CHUNK_SIZE) {
    const stream = createReadStream(file).pipe(counting(u.onBytes));
    await u.client.finishUpload(u.location, u.digest, u.scopes, { stream, size: u.size });
    return;
  }
  const handle = await open(file, 'r');
  try {
    let location = u.location;
    for (let offset = 0; offset < u.size;) {
      const length = Math.min(CHUNK_SIZE, u.size - offset);
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, offset);
      if (bytesRead !== length) throw new Error(`blob ${u.digest} is shorter than recorded`);
      location = await u.client.uploadChunk(location, chunk, offset, u.scopes);
      offset += length;
      u.onBytes(offset);
    }
    await u.client.finishUpload(location, u.digest, u.scopes);
  } finally {
    await handle.close();
  }
}

/** Gzips `file` into `target`: the compressed blob's digest and size. */
async function gzipBlob(
  file: string,
  target: string,
  signal?: AbortSignal,
): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(file),
    createGzip(),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(target, { mode: 0o600 }),
    { signal },
  );
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

async function* pushOne(
  deps: PushDeps,
  client: RegistryClient,
  target: { ref: Reference; entry: ImageEntry },
  signal: AbortSignal,
): AsyncGenerator<Progress> {
  const { store } = deps;
  const { ref, entry } = target;
  const scopes = [repositoryScope(ref.path, 'pull,push')];
  const layers = [...entry.layers].reverse();
  const label = (l: LayerRecord): string => l.diffId.slice(7, 19);
  for (const l of layers) yield { id: label(l), status: 'Preparing' };
  const queue = new ProgressQueue<Progress>();
  const failed = new AbortController();
  const uploads = Promise.all(
    layers.map(async (layer) => {
      const id = label(layer);
      let release = deps.uploads.tryAcquire();
      if (!release) {
        queue.push({ id, status: 'Waiting' });
        release = await deps.uploads.acquire(failed.signal);
      }
      try {
        return await pushLayer(id, layer);
      } finally {
        release();
      }
    }),
  );
  async function pushLayer(id: string, layer: LayerRecord): Promise<PushBlob> {
    const stored: PushBlob = {
      digest: layer.blobDigest,
      size: layer.blobSize,
      compression: layer.blobCompression,
    };
    if (stored.compression !== 'none')
      return sendBlob(id, layer, stored, store.blobs.path(stored.digest));
    const known = deps.compressed.get(layer.blobDigest);
    if (known && (await client.blobExists(ref.path, known.digest, scopes))) {
      queue.push({ id, status: 'Layer already exists' });
      return { ...known, compression: 'gzip' };
    }
    const temp = store.blobs.ingestPath('push');
    try {
      const gz = await gzipBlob(store.blobs.path(layer.blobDigest), temp, signal);
      deps.compressed.set(layer.blobDigest, gz);
      return await sendBlob(id, layer, { ...gz, compression: 'gzip' }, temp);
    } finally {
      await unlink(temp).catch((err: unknown) => {
        if (!hasErrno(err, 'ENOENT')) throw err;
      });
    }
  }
  async function sendBlob(
    id: string,
    layer: LayerRecord,
    blob: PushBlob,
    file: string,
  ): Promise<PushBlob> {
    if (await client.blobExists(ref.path, blob.digest, scopes)) {
      queue.push({ id, status: 'Layer already exists' });
      return blob;
    }
    const from = mountSource(store, ref, layer.diffId);
    const mountScopes = from ? [...scopes, repositoryScope(from, 'pull')] : scopes;
    const started = await client.startUpload(
      ref.path,
      mountScopes,
      from ? { digest: blob.digest, from } : undefined,
    );
    if (started.mounted) {
      queue.push({ id, status: `Mounted from ${from}` });
      return blob;
    }
    await uploadBlob({
      client,
      file,
      repo: ref.path,
      scopes: mountScopes,
      location: started.location,
      digest: blob.digest,
      size: blob.size,
      onBytes: (n) => queue.push({ id, status: 'Pushing', current: n, total: blob.size }),
    });
    queue.push({ id, status: 'Pushed' });
    return blob;
  }
  uploads.then(
    () => queue.close(),
    (err: unknown) => {
      failed.abort(err);
      queue.close(err);
    },
  );
  yield* queue;
  const blobs = (await uploads).reverse();

  if (!(await client.blobExists(ref.path, entry.id, scopes))) {
    const started = await client.startUpload(ref.path, scopes);
    if (started.mounted) throw new Error('unexpected mount of the image config');
    const chunks: Buffer[] = [];
    for await (const c of store.blobs.read(entry.id)) chunks.push(c as Buffer);
    const configBytes = Buffer.concat(chunks);
    await client.finishUpload(started.location, entry.id, scopes, {
      stream: Readable.from([configBytes]),
      size: configBytes.length,
    });
  }
  const manifest = buildManifest(entry, blobs);
  const tag = ref.tag as string;
  await client.putManifest(ref.path, tag, manifest.bytes, manifest.mediaType, scopes);
  const digest = sha256Digest(manifest.bytes);
  store.records.setRef(`${repositoryName(ref)}@${digest}`, entry.id);
  await store.index.refresh();
  yield { status: `${tag}: digest: ${digest} size: ${manifest.bytes.length}` };
  yield { aux: { Tag: tag, Digest: digest, Size: manifest.bytes.length } };
  store.events.publish({
    type: 'image',
    action: 'push',
    actor: { id: familiarString(ref), attributes: { name: familiarString(ref) } },
  });
}

/**
 * `POST /images/{name}/push`: a missing local image fails before the stream starts (404);
 * registry failures come in the stream, after "The push refers to repository".
 */
export async function* pushImage(deps: PushDeps, request: PushRequest): AsyncGenerator<Progress> {
  const signal = request.signal ?? new AbortController().signal;
  let ref = parseReference(request.name, { defaultTag: null });
  if (ref.digest !== undefined) throw invalidArgument('cannot push a digest reference');
  if (request.tag !== '') ref = parseReference(`${repositoryName(ref)}:${request.tag}`);
  const targets = pushTargets(deps.store, ref);
  yield { status: `The push refers to repository [${repositoryName(ref)}]` };
  try {
    const client = await connectRegistry(deps.settings(), ref.domain, request.credentials, {
      push: true,
      signal,
    });
    for (const target of targets) yield* pushOne(deps, client, target, signal);
  } catch (err) {
    throw registryError(err);
  }
}
