import type { VolumeUsage, VolumeView } from '../../../core/volumes/volume.js';
import type { MountPoint } from '../../../core/volumes/mount-spec.js';
import type { MountPointView, Volume } from '../../../types/docker/volumes.js';

/** A map as Go encodes it (keys sorted), or null when empty. */
function nullIfEmpty(map: Readonly<Record<string, string>>): Record<string, string> | null {
  const keys = Object.keys(map).sort();
  return keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, map[k] as string])) : null;
}

/** Docker's Volume, its keys in Docker's order (`docker inspect` prints them as sent). */
export function toVolume(v: VolumeView): Volume {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: nullIfEmpty(v.labels),
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: nullIfEmpty(v.options),
    Scope: 'local',
  };
}

/** With UsageData, as `system df` lists volumes. */
export function toVolumeUsage(v: VolumeUsage): Volume {
  return { ...toVolume(v), UsageData: { Size: v.size, RefCount: v.refCount } };
}

/** A container's mount as inspect and ps show it. */
export function toMountPoint(m: MountPoint): MountPointView {
  return {
    Type: m.type,
    ...(m.type === 'volume' ? { Name: m.name } : {}),
    Source: m.source,
    Destination: m.destination,
    ...(m.type === 'volume' ? { Driver: m.driver } : {}),
    Mode: m.mode,
    RW: m.rw,
    Propagation: m.propagation,
  };
}
