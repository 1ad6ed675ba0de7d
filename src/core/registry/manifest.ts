// Manifests as registries serve them: Docker v2 schema 2 and OCI image manifests, Docker
// manifest lists and OCI image indexes (from which one platform's manifest is chosen).

import { invalidArgument, notFound } from '../errors.js';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

/** What a pull asks for, best first. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
].join(', ');

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly urls?: readonly string[];
}

export type Manifest =
  | { readonly kind: 'index'; readonly manifests: readonly Descriptor[] }
  | {
      readonly kind: 'image';
      readonly mediaType: string;
      readonly config: Descriptor;
      readonly layers: readonly Descriptor[];
    };

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.digest !== 'string' ||
    !DIGEST.test(d.digest) ||
    typeof d.size !== 'number' ||
    !Number.isSafeInteger(d.size) ||
    d.size < 0
  ) {
    throw invalidArgument(`invalid manifest: ${where} is not a valid sha256 descriptor`);
  }
  return {
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    digest: d.digest,
    size: d.size,
    ...(d.platform && typeof d.platform === 'object' ? { platform: d.platform } : {}),
    ...(Array.isArray(d.urls) ? { urls: d.urls } : {}),
  };
}

/** Parses a manifest body; the media type comes from the body, else the Content-Type. */
export function parseManifest(bytes: Buffer, contentType: string | undefined): Manifest {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalidArgument('invalid manifest: not JSON');
  }
  if (typeof body !== 'object' || body === null)
    throw invalidArgument('invalid manifest: not an object');
  const mediaType =
    (typeof body['mediaType'] === 'string' ? body['mediaType'] : undefined) ??
    contentType?.split(';')[0]?.trim() ??
    '';
  if (
    body['schemaVersion'] === 1 ||
    mediaType.startsWith('application/vnd.docker.distribution.manifest.v1')
  ) {
    throw invalidArgument(
      'Docker Image manifest version 2, schema 1 is not supported: push the image again with a current client',
    );
  }
  const isIndex =
    mediaType === MEDIA_TYPES.dockerList ||
    mediaType === MEDIA_TYPES.ociIndex ||
    (mediaType === '' && Array.isArray(body['manifests']));
  if (isIndex) {
    if (!Array.isArray(body['manifests']))
      throw invalidArgument('invalid manifest list: no manifests');
    return {
      kind: 'index',
      manifests: (body['manifests'] as unknown[]).map((m, i) => descriptor(m, `manifests[${i}]`)),
    };
  }
  if (
    mediaType !== MEDIA_TYPES.dockerManifest &&
    mediaType !== MEDIA_TYPES.ociManifest &&
    mediaType !== ''
  ) {
    throw invalidArgument(`unsupported manifest media type ${JSON.stringify(mediaType)}`);
  }
  if (!Array.isArray(body['layers'])) throw invalidArgument('invalid manifest: no layers');
  return {
    kind: 'image',
    mediaType: mediaType || MEDIA_TYPES.ociManifest,
    config: descriptor(body['config'], 'config'),
    layers: (body['layers'] as unknown[]).map((l, i) => descriptor(l, `layers[${i}]`)),
  };
}

/** `linux/amd64`, `linux/arm64/v8`, `amd64` (os defaults to linux). */
export function parsePlatform(text: string): Platform {
  const parts = text.toLowerCase().split('/');
  if (parts.some((p) => p === '') || parts.length > 3)
    throw invalidArgument(`"${text}": unknown operating system or architecture: invalid argument`);
  if (parts.length === 1) return { os: 'linux', architecture: parts[0] as string };
  return {
    os: parts[0] as string,
    architecture: parts[1] as string,
    ...(parts[2] ? { variant: parts[2] } : {}),
  };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The index entry for `want` (a variant only counts when asked for). */
export function choosePlatform(manifests: readonly Descriptor[], want: Platform): Descriptor {
  const match = manifests.find(
    (m) =>
      m.platform?.os === want.os &&
      m.platform.architecture === want.architecture &&
      (want.variant === undefined || m.platform.variant === want.variant),
  );
  if (!match) {
    throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
  }
  return match;
}
