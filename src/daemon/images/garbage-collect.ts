import type { BlobStore } from '../../core/content/blob-store.js';
import type { StorageDriver } from '../../core/layers/storage-driver.js';
import type { ImageRecords } from '../../core/state/image-records.js';

export interface GarbageReport {
  readonly layers: number;
  readonly blobs: number;
}

/**
 * Removes what no record refers to: driver layers and blobs left by an operation that did not
 * reach its commit (a crash mid-load). Records are the truth; files follow them.
 */
export async function collectGarbage(
  records: ImageRecords,
  blobs: BlobStore,
  driver: StorageDriver,
  otherDriverIds: ReadonlySet<string> = new Set(),
): Promise<GarbageReport> {
  const layers = records.layers();
  const liveDriverIds = new Set([...layers.map((l) => l.driverId), ...otherDriverIds]);
  let removedLayers = 0;
  for (const id of await driver.list()) {
    if (liveDriverIds.has(id)) continue;
    await driver.remove(id);
    removedLayers++;
  }
  const liveBlobs = new Set([
    ...layers.map((l) => l.blobDigest),
    ...records.images().map((i) => i.id),
  ]);
  let removedBlobs = 0;
  for (const digest of await blobs.list()) {
    if (liveBlobs.has(digest)) continue;
    await blobs.delete(digest);
    removedBlobs++;
  }
  return { layers: removedLayers, blobs: removedBlobs };
}
