// Puts images into a test registry by hand over its HTTP API (loopback only): any manifest
// format (Docker schema 2 or OCI), plain, gzip or zstd layers, and image indexes, so pulls can
// be tested against content the berth push path does not produce.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { layerTar, type LayerEntry } from './image-archive.js';

const digestOf = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export type Compression = 'none' | 'gzip' | 'zstd';

export function compress(data: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(data);
  if (compression === 'zstd') return execFileSync('zstd', ['-q', '-c', '-3'], { input: data });
  return data;
}

export async function uploadBlob(host: string, repo: string, data: Buffer): Promise<string> {
  const digest = digestOf(data);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: data,
  });
  if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
  return digest;
}

export async function putManifest(
  host: string,
  repo: string,
  reference: string,
  body: Buffer,
  mediaType: string,
): Promise<string> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType },
    body,
  });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return digestOf(body);
}

export interface RawImage {
  /** The image ID (config digest). */
  readonly id: string;
  readonly manifestDigest: string;
  readonly manifestSize: number;
  readonly manifestType: string;
  readonly layerDigests: string[];
}

/** Pushes a one-or-more-layer image; returns its IDs. */
export async function pushRawImage(
  host: string,
  repo: string,
  reference: string,
  options: {
    layers: { entries: LayerEntry[]; compression: Compression }[];
    architecture?: string;
    os?: string;
    oci?: boolean;
  },
): Promise<RawImage> {
  const diffIds: string[] = [];
  const layers: { mediaType: string; size: number; digest: string }[] = [];
  const oci = options.oci ?? false;
  for (const layer of options.layers) {
    const tar = await layerTar(layer.entries);
    diffIds.push(digestOf(tar));
    const blob = compress(tar, layer.compression);
    const digest = await uploadBlob(host, repo, blob);
    const mediaType = oci
      ? `application/vnd.oci.image.layer.v1.tar${layer.compression === 'none' ? '' : `+${layer.compression}`}`
      : `application/vnd.docker.image.rootfs.diff.tar${layer.compression === 'gzip' ? '.gzip' : ''}`;
    layers.push({ mediaType, size: blob.length, digest });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: options.architecture ?? 'amd64',
      os: options.os ?? 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['sh'], Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'test' })),
    }),
  );
  const configDigest = await uploadBlob(host, repo, config);
  const manifestType = oci
    ? 'application/vnd.oci.image.manifest.v1+json'
    : 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestType,
      config: {
        mediaType: oci
          ? 'application/vnd.oci.image.config.v1+json'
          : 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: configDigest,
      },
      layers,
    }),
  );
  const manifestDigest = await putManifest(host, repo, reference, manifest, manifestType);
  return {
    id: configDigest,
    manifestDigest,
    manifestSize: manifest.length,
    manifestType,
    layerDigests: layers.map((l) => l.digest),
  };
}

/** Puts an index naming the images with their platforms; returns its digest. */
export async function pushIndex(
  host: string,
  repo: string,
  tag: string,
  entries: { image: RawImage; os: string; architecture: string; variant?: string }[],
  oci = true,
): Promise<string> {
  const mediaType = oci
    ? 'application/vnd.oci.image.index.v1+json'
    : 'application/vnd.docker.distribution.manifest.list.v2+json';
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: entries.map((e) => ({
        mediaType: e.image.manifestType,
        size: e.image.manifestSize,
        digest: e.image.manifestDigest,
        platform: {
          os: e.os,
          architecture: e.architecture,
          ...(e.variant ? { variant: e.variant } : {}),
        },
      })),
    }),
  );
  return putManifest(host, repo, tag, body, mediaType);
}

/** The data file of a blob in a filesystem-backed registry's storage. */
export function registryBlobPath(storage: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return `${storage}/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
}
