import type { ImageEntry, RemovalItem } from '../../../core/images/image-views.js';
import { familiarString, parseReference } from '../../../core/images/reference.js';
import type {
  DeleteResponseItem,
  ImageInspect,
  ImageSummary,
} from '../../../types/docker/images.js';

function familiar(refs: readonly string[], digests: boolean): string[] {
  return refs
    .filter((r) => r.includes('@') === digests)
    .map((r) => familiarString(parseReference(r, { defaultTag: null })));
}

function createdSeconds(entry: ImageEntry): number {
  const ms = Date.parse(entry.config.created ?? '');
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

export function toImageSummary(
  entry: ImageEntry,
  extra: { sharedSize?: number; containers?: number } = {},
): ImageSummary {
  const tags = familiar(entry.refs, false);
  const digests = familiar(entry.refs, true);
  const dangling = entry.refs.length === 0;
  return {
    Containers: extra.containers ?? -1,
    Created: createdSeconds(entry),
    Id: entry.id,
    Labels: entry.config.config?.Labels ?? null,
    ParentId: entry.record.parent ?? '',
    RepoDigests: dangling ? ['<none>@<none>'] : digests,
    RepoTags: dangling ? ['<none>:<none>'] : tags,
    SharedSize: extra.sharedSize ?? -1,
    Size: entry.record.size,
    VirtualSize: entry.record.size,
  };
}

/** Every field of a container config, empty: what inspect shows for fields a config lacks. */
export const EMPTY_CONTAINER_CONFIG = {
  Hostname: '',
  Domainname: '',
  User: '',
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: null,
  Image: '',
  Volumes: null,
  WorkingDir: '',
  Entrypoint: null,
  OnBuild: null,
  Labels: null,
};

export function toImageInspect(
  entry: ImageEntry,
  driverName: string,
  driverData: Record<string, string> | null = null,
): ImageInspect {
  const c = entry.config;
  return {
    Id: entry.id,
    RepoTags: familiar(entry.refs, false),
    RepoDigests: familiar(entry.refs, true),
    Parent: entry.record.parent ?? '',
    // A commit's message is in its history entry: Docker shows the last one's when there is no other.
    Comment: c.comment || (c.history?.at(-1)?.comment ?? ''),
    Created: c.created ?? '0001-01-01T00:00:00Z',
    Container: c.container ?? '',
    ContainerConfig: { ...EMPTY_CONTAINER_CONFIG, ...(c.container_config ?? {}) },
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: c.config ? { ...EMPTY_CONTAINER_CONFIG, ...c.config } : null,
    Architecture: c.architecture,
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os,
    ...(c['os.version'] ? { OsVersion: c['os.version'] } : {}),
    Size: entry.record.size,
    VirtualSize: entry.record.size,
    GraphDriver: { Data: driverData, Name: driverName },
    RootFS: { Type: 'layers', Layers: [...c.rootfs.diff_ids] },
    Metadata: { LastTagTime: entry.record.lastTagTime ?? '0001-01-01T00:00:00Z' },
  };
}

export function toDeleteItems(items: readonly RemovalItem[]): DeleteResponseItem[] {
  return items.map((i) => ('untagged' in i ? { Untagged: i.untagged } : { Deleted: i.deleted }));
}
