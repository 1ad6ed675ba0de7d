import type { Readable } from 'node:stream';
import type { WhiteoutFormat } from '../archive/types.js';
import type { FileChange } from './changes.js';

/**
 * A storage driver (the seeds' graphdriver) keeps layers as directories and stacks them into
 * mounts. It knows nothing of images or containers: ids are opaque strings chosen by the
 * caller ([a-z0-9]{1,64}).
 */
export interface StorageDriver {
  readonly name: 'overlay2' | 'vfs';
  /** How applyLayer must write deletions into diffPath(). */
  readonly whiteoutFormat: WhiteoutFormat;
  /** Prepares the driver's root (directories, checks that the kernel supports it). */
  init(): Promise<void>;
  /** Creates an empty layer on top of `parent` (undefined: a base layer). */
  create(id: string, parent: string | undefined): Promise<void>;
  /** The directory a layer's diff is applied into (overlay2: its own diff; vfs: a full copy of the parent). */
  diffPath(id: string): string;
  exists(id: string): Promise<boolean>;
  /** The ids of every layer the driver holds (for start-up garbage collection). */
  list(): Promise<string[]>;
  /**
   * Mounts the union of `id` and its ancestors and returns the merged directory.
   * Reference-counted: every mount() needs an unmount(); the last unmount really unmounts.
   */
  mount(id: string): Promise<string>;
  unmount(id: string): Promise<void>;
  /**
   * What layer `id` changed on top of `parent`, its own parent (`docker diff`), in the order
   * Docker's driver of the same name lists them.
   */
  changes(id: string, parent: string | undefined, signal?: AbortSignal): Promise<FileChange[]>;
  /**
   * Layer `id`'s changes on top of `parent`, its own parent, as an uncompressed layer tar
   * (deletions as `.wh.` entries, opaque directories with `.wh..wh..opq`).
   */
  diff(id: string, parent: string | undefined, signal?: AbortSignal): Promise<Readable>;
  /**
   * How many bytes layer `id` holds of its own on top of `parent`, its own parent, as Docker
   * counts a container's SizeRw: files and symlinks, each inode once; directories not.
   */
  diffSize(id: string, parent: string | undefined, signal?: AbortSignal): Promise<number>;
  /** Removes a layer that nothing is stacked on and that is not mounted. */
  remove(id: string): Promise<void>;
  /**
   * Docker's GraphDriver.Data of layer `id`: overlay2's LowerDir, MergedDir, UpperDir and
   * WorkDir; null for vfs, as Docker's, and for a layer that does not exist.
   */
  metadata(id: string): Record<string, string> | null;
  /** Lines for `docker info`'s Storage Driver section. */
  status(): [string, string][];
  /** Unmounts everything this driver mounted (daemon shutdown). */
  cleanup(): Promise<void>;
}
