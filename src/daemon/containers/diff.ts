// `docker diff`: what a container changed in its image's file system, from its writable layer.

import type { ContainerRecord } from '../../core/containers/container.js';
import { initLayerId } from '../../core/containers/init-layer.js';
import type { FileChange } from '../../core/layers/changes.js';
import type { StorageDriver } from '../../core/layers/storage-driver.js';

/** What reading a container's writable layer needs. */
export interface ContainerLayerDeps {
  readonly resolve: (ref: string) => ContainerRecord;
  readonly driver: StorageDriver;
  /** The driver id of an image's top layer (undefined: the image has no layers). */
  readonly imageTopLayer: (imageId: string) => string | undefined;
}

/**
 * The layer a container's writable layer sits on: its init layer, or, for a container made
 * before init layers existed, its image's top layer.
 */
export async function writableLayerParent(
  deps: Pick<ContainerLayerDeps, 'driver' | 'imageTopLayer'>,
  c: ContainerRecord,
): Promise<string | undefined> {
  const init = initLayerId(c.driverId);
  return (await deps.driver.exists(init)) ? init : deps.imageTopLayer(c.imageId);
}

/** The changes of a running or stopped container, in the order Docker lists them. */
export async function containerChanges(
  deps: ContainerLayerDeps,
  ref: string,
  signal?: AbortSignal,
): Promise<FileChange[]> {
  const c = deps.resolve(ref);
  return deps.driver.changes(c.driverId, await writableLayerParent(deps, c), signal);
}
