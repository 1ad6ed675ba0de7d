// What the image jobs return: the shapes the API edge maps to Docker's JSON.

import type { ImageRecord, LayerRecord } from '../state/image-records.js';
import type { ImageConfig } from './image-config.js';

/** An image as the daemon holds it: its record, config, layers and references. */
export interface ImageEntry {
  readonly record: ImageRecord;
  readonly id: string;
  readonly config: ImageConfig;
  readonly configSize: number;
  /** Bottom to top. */
  readonly layers: readonly LayerRecord[];
  /** Normalised references (`docker.io/library/busybox:latest`), sorted. */
  readonly refs: readonly string[];
}

export interface HistoryItem {
  id: string;
  readonly created: number;
  readonly createdBy: string;
  tags: string[];
  readonly size: number;
  readonly comment: string;
}

export type RemovalItem = { readonly untagged: string } | { readonly deleted: string };

export interface PruneResult {
  readonly removed: RemovalItem[];
  readonly spaceReclaimed: number;
}

export interface ImportOptions {
  /** `repo` or `repo:tag`, as the client sent it; empty for no tag. */
  readonly repo: string;
  readonly tag: string;
  readonly changes: readonly string[];
  readonly message: string;
  readonly signal?: AbortSignal;
}
