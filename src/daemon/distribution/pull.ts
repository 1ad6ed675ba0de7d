// `docker pull`: resolve the reference to one image manifest (choosing a platform from an
// index), fetch and verify the config, download the missing layers concurrently into the ingest
// area (each verified by digest and size before use), then register them through the same path
// as `docker load`. Nothing is registered until every download is verified, so a failed pull
// leaves no image, layer or temp file behind. A download the connection breaks off is tried
// again, after 5 s, 10 s, ... as Docker does, up to --max-download-attempts in all.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { BerthError, invalidArgument, isBerthError } from '../../core/errors.js';
import { chainIds, parseImageConfig } from '../../core/images/image-config.js';
import {
  familiarString,
  formatReference,
  parseReference,
  repositoryName,
  type Reference,
} from '../../core/images/reference.js';
import type { Progress } from '../../core/progress.js';
import type { Credentials } from '../../core/registry/auth-config.js';
import { readBody } from '../../core/registry/http-request.js';
import {
  choosePlatform,
  MANIFEST_ACCEPT,
  MEDIA_TYPES,
  parseManifest,
  parsePlatform,
  type Descriptor,
  type Platform,
} from '../../core/registry/manifest.js';
import {
  EndpointUnreachable,
  RegistryClient,
  RegistryError,
} from '../../core/registry/registry-client.js';
import { ProgressQueue } from '../../lib/progress-queue.js';
import type { Semaphore } from '../../lib/semaphore.js';
import type { ImageStore, PendingLayer } from '../images/image-store.js';
import {
  pullError,
  registryEndpoints,
  registryError,
  type DistributionSettings,
} from './registry-access.js';

export interface PullRequest {
  /** `fromImage`: a name, maybe with a tag or digest. */
  readonly name: string;
  /** `tag`: a tag or a digest; empty for the name's own (or every tag, when it has none). */
  readonly tag: string;
  readonly platform?: string;
  readonly credentials: Credentials;
  readonly signal?: AbortSignal;
}

export interface PullDeps {
  readonly store: ImageStore;
  readonly settings: () => DistributionSettings;
  /** The daemon-wide bound on concurrent layer downloads (--max-concurrent-downloads). */
  readonly downloads: Semaphore;
}

const LAYER_TYPES = new Set<string>([
  MEDIA_TYPES.dockerLayer,
  MEDIA_TYPES.dockerLayerGzip,
  MEDIA_TYPES.ociLayer,
  MEDIA_TYPES.ociLayerGzip,
  MEDIA_TYPES.ociLayerZstd,
  'application/vnd.docker.image.rootfs.diff.tar.zstd',
  '',
]);
const HOST_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };
/** Progress lines for a download come at most every this many bytes. */
const PROGRESS_STEP = 512 * 1024;

/** The reference a pull request names; undefined tag and digest means "all tags". */
export function pullReference(name: string, tag: string): Reference {
  const ref = parseReference(name, { defaultTag: null });
  if (tag === '') return ref;
  if (/^[A-Za-z][A-Za-z0-9]*:[0-9a-fA-F]{32,}$/.test(tag))
    return parseReference(`${repositoryName(ref)}@${tag}`);
  return parseReference(`${repositoryName(ref)}:${tag}`);
}

interface Resolved {
  readonly ref: Reference;
  /** The digest of what the reference names (an index's own digest for a multi-platform image). */
  readonly digest: string;
  readonly manifest: { config: Descriptor; layers: readonly Descriptor[] };
}

async function resolveManifest(
  client: RegistryClient,
  ref: Reference,
  platform: Platform,
): Promise<Resolved> {
  const top = await client.getManifest(
    ref.path,
    ref.digest ?? ref.tag ?? 'latest',
    MANIFEST_ACCEPT,
  );
  let manifest = parseManifest(top.bytes, top.mediaType);
  if (manifest.kind === 'index') {
    const chosen = choosePlatform(manifest.manifests, platform);
    const child = await client.getManifest(ref.path, chosen.digest, MANIFEST_ACCEPT);
    manifest = parseManifest(child.bytes, child.mediaType);
    if (manifest.kind === 'index')
      throw invalidArgument(`manifest ${chosen.digest} is an index inside an index`);
  }
  for (const l of manifest.layers) {
    if (!LAYER_TYPES.has(l.mediaType))
      throw invalidArgument(`unsupported layer media type ${JSON.stringify(l.mediaType)}`);
  }
  return { ref, digest: top.digest, manifest };
}

/** A download the connection broke off: worth another attempt, unlike a wrong digest. */
class DownloadCut extends BerthError {
  constructor(message: string) {
    super('internal', message);
  }
}

/** Whether a failed layer download is tried again (Docker retries transfers, not refusals). */
function retryable(err: unknown): boolean {
  if (err instanceof DownloadCut || err instanceof EndpointUnreachable) return true;
  if (err instanceof RegistryError) return err.status >= 500;
  return !isBerthError(err);
}

/** Docker's wait before retry n (1-based): 5 s more each time, counted down in the progress. */
const RETRY_STEP_SECONDS = 5;

/** Streams a blob into `file`, hashing it; the digest and size must be the descriptor's. */
async function downloadBlob(options: {
  client: RegistryClient;
  repo: string;
  blob: Descriptor;
  file: string;
  onBytes: (done: number) => void;
  signal: AbortSignal;
}): Promise<void> {
  const { blob } = options;
  const res = await options.client.getBlob(options.repo, blob.digest);
  const hash = createHash('sha256');
  let size = 0;
  let reported = 0;
  try {
    await pipeline(
      res,
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > blob.size) {
            done(
              new BerthError(
                'internal',
                `filesystem layer verification failed for digest ${blob.digest}: more than its ${blob.size} bytes`,
              ),
            );
            return;
          }
          hash.update(chunk);
          if (size - reported >= PROGRESS_STEP || size === blob.size) {
            reported = size;
            options.onBytes(size);
          }
          done(null, chunk);
        },
      }),
      createWriteStream(options.file, { mode: 0o600 }),
      { signal: options.signal },
    );
  } catch (err) {
    if (options.signal.aborted || isBerthError(err)) throw err;
    throw new DownloadCut(
      `failed to download layer ${blob.digest}: unexpected EOF (${(err as Error).message})`,
    );
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (digest !== blob.digest || size !== blob.size) {
    throw new BerthError(
      'internal',
      `filesystem layer verification failed for digest ${blob.digest}`,
    );
  }
}

/** Pulls one resolved image; yields Docker's per-layer progress; returns its ID and whether it was new. */
async function* pullResolved(
  deps: PullDeps,
  client: RegistryClient,
  resolved: Resolved,
  signal: AbortSignal,
): AsyncGenerator<Progress, { id: string; updated: boolean }> {
  const { store } = deps;
  const { ref, manifest } = resolved;
  const configRes = await client.getBlob(ref.path, manifest.config.digest);
  const configBytes = await readBody(configRes, 16 * 1024 * 1024);
  if (`sha256:${createHash('sha256').update(configBytes).digest('hex')}` !== manifest.config.digest)
    throw new BerthError(
      'internal',
      `image config verification failed for digest ${manifest.config.digest}`,
    );
  const config = parseImageConfig(configBytes);
  if (config.os !== 'linux')
    throw invalidArgument(`image operating system "${config.os}" cannot be used on this platform`);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw invalidArgument(
      `the image config lists ${diffIds.length} layers but the manifest has ${manifest.layers.length}`,
    );
  }
  const chains = chainIds(diffIds);
  const label = (d: Descriptor): string => d.digest.slice(7, 19);
  const missing = manifest.layers
    .map((_, i) => i)
    .filter((i) => store.index.layer(chains[i] as string) === undefined);
  for (const [i, layer] of manifest.layers.entries()) {
    yield {
      id: label(layer),
      status: missing.includes(i) ? 'Pulling fs layer' : 'Already exists',
    };
  }

  const dir = store.newWorkDir('pull');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const abort = new AbortController();
  const onAbort = (): void => abort.abort(signal.reason);
  signal.addEventListener('abort', onAbort);
  try {
    const id = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    const existed = store.index.get(id) !== undefined;
    const refs = [`${repositoryName(ref)}@${resolved.digest}`];
    if (ref.digest === undefined) refs.unshift(formatReference(ref));
    const updated = !existed || refs.some((r) => store.index.imageIdForRef(r) !== id);

    // Each layer is registered as soon as it and the ones below it are downloaded and verified,
    // while the layers above are still downloading.
    const queue = new ProgressQueue<Progress>();
    const ready = manifest.layers.map(() => settlable());
    const pending: PendingLayer[] = manifest.layers.map((layer, i) => ({
      file: join(dir, `layer-${i}`),
      diffId: diffIds[i] as string,
      blobDigest: layer.digest,
      label: label(layer),
      ready: (ready[i] as Settlable).promise,
      onProgress: throttled((done, total) =>
        queue.push({ id: label(layer), status: 'Extracting', current: done, total }),
      ),
    }));
    const downloads = Promise.all(
      missing.map(async (i) => {
        const layer = manifest.layers[i] as Descriptor;
        const id = label(layer);
        let release = deps.downloads.tryAcquire();
        if (!release) {
          queue.push({ id, status: 'Waiting' });
          release = await deps.downloads.acquire(abort.signal);
        }
        try {
          await downloadLayer(id, i, layer);
        } finally {
          release();
        }
      }),
    );
    async function downloadLayer(id: string, i: number, layer: Descriptor): Promise<void> {
      const attempts = Math.max(1, deps.settings().maxDownloadAttempts);
      for (let attempt = 1; ; attempt++) {
        try {
          await downloadBlob({
            client,
            repo: ref.path,
            blob: layer,
            file: (pending[i] as PendingLayer).file,
            signal: abort.signal,
            onBytes: (done) =>
              queue.push({ id, status: 'Downloading', current: done, total: layer.size }),
          });
          break;
        } catch (err) {
          if (abort.signal.aborted || attempt >= attempts || !retryable(err)) throw err;
          for (let s = attempt * RETRY_STEP_SECONDS; s > 0; s--) {
            queue.push({ id, status: `Retrying in ${s} second${s === 1 ? '' : 's'}` });
            await delay(1000, undefined, { signal: abort.signal });
          }
        }
      }
      queue.push({ id, status: 'Verifying Checksum' });
      queue.push({ id, status: 'Download complete' });
      (ready[i] as Settlable).resolve();
    }
    const registering = (async () => {
      const adding = store.addImage({ configBytes, layers: pending, refs }, abort.signal);
      for (;;) {
        const step = await adding.next();
        if (step.done) return step.value;
        if (step.value.status === 'Loading layer')
          queue.push({ id: step.value.id, status: 'Pull complete' });
      }
    })();
    // A layer that was present at the start but went away meanwhile (an rmi) fails the pull
    // instead of waiting for a download that was never started.
    void downloads.then(() => {
      for (const r of ready)
        r.reject(new BerthError('conflict', 'a layer was removed during the pull'));
    });
    Promise.all([downloads, registering]).then(
      () => queue.close(),
      (err: unknown) => {
        abort.abort(err);
        for (const r of ready) r.reject(err);
        queue.close(err);
      },
    );
    yield* queue;
    await registering;
    return { id, updated };
  } finally {
    signal.removeEventListener('abort', onAbort);
    await store.removeWorkDir(dir);
  }
}

interface Settlable {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

/** A promise settled from outside; a rejection nobody awaits is not an unhandled one. */
function settlable(): Settlable {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Calls `report` at most every PROGRESS_STEP bytes, and at the end. */
function throttled(report: (done: number, total: number) => void): (d: number, t: number) => void {
  let last = 0;
  return (done, total) => {
    if (done - last >= PROGRESS_STEP || done === total) {
      last = done;
      report(done, total);
    }
  };
}

/**
 * `POST /images/create?fromImage=`: everything that can fail before the first byte (a bad
 * reference, an unknown manifest, a registry that refuses) throws before the first yield.
 */
export async function* pullImage(deps: PullDeps, request: PullRequest): AsyncGenerator<Progress> {
  const signal = request.signal ?? new AbortController().signal;
  const ref = pullReference(request.name, request.tag);
  const platform = request.platform ? parsePlatform(request.platform) : HOST_PLATFORM;
  const all = ref.tag === undefined && ref.digest === undefined;
  const endpoints = await registryEndpoints(deps.settings(), ref.domain);
  let found: { client: RegistryClient; targets: Resolved[] } | undefined;
  for (const [n, endpoint] of endpoints.entries()) {
    // A mirror that fails in any way hands over to the next endpoint, as Docker's do.
    const fallback = (err: unknown): boolean =>
      n < endpoints.length - 1 && (endpoint.mirror || err instanceof EndpointUnreachable);
    let client: RegistryClient;
    try {
      client = await RegistryClient.connect([endpoint], request.credentials, signal);
    } catch (err) {
      if (fallback(err) && !signal.aborted) continue;
      throw registryError(err);
    }
    try {
      const tags = all ? (await client.tags(ref.path)).sort() : [undefined];
      const targets: Resolved[] = [];
      for (const tag of tags) {
        const target = tag === undefined ? ref : { ...ref, tag };
        targets.push(await resolveManifest(client, target, platform));
      }
      found = { client, targets };
      break;
    } catch (err) {
      if (fallback(err) && !signal.aborted) continue;
      throw pullError(err, all ? { ...ref, tag: 'latest' } : ref);
    }
  }
  if (!found) throw new BerthError('internal', `no endpoint of ${ref.domain} answered`);
  const { client, targets } = found;
  let updated = false;
  for (const target of targets) {
    yield {
      id: target.ref.digest ?? target.ref.tag,
      status: `Pulling from ${target.ref.path}`,
    };
    let result: { id: string; updated: boolean };
    try {
      result = yield* pullResolved(deps, client, target, signal);
    } catch (err) {
      throw pullError(err, target.ref);
    }
    updated ||= result.updated;
    yield { status: `Digest: ${target.digest}` };
    deps.store.events.publish({
      type: 'image',
      action: 'pull',
      actor: { id: familiarString(target.ref), attributes: { name: familiarString(target.ref) } },
    });
  }
  const shown = familiarString(ref);
  yield {
    status: updated
      ? `Status: Downloaded newer image for ${shown}`
      : `Status: Image is up to date for ${shown}`,
  };
}
