import type { Readable } from 'node:stream';
import type { FilterArgs } from '../../../core/filters.js';
import type {
  HistoryItem,
  ImageEntry,
  ImportOptions,
  PruneResult,
  RemovalItem,
} from '../../../core/images/image-views.js';
import type { Progress } from '../../../core/progress.js';
import type { Credentials } from '../../../core/registry/auth-config.js';

/** What the image routes need from the daemon. */
export interface ImagesBackend {
  readonly driverName: string;
  resolve(name: string): ImageEntry;
  /** GraphDriver.Data of an image (its top layer's). */
  graphDriverData(entry: ImageEntry): Record<string, string> | null;
  list(options: { all: boolean; filters: FilterArgs }): ImageEntry[];
  history(name: string): HistoryItem[];
  tag(name: string, repo: string, tag: string): Promise<void>;
  remove(name: string, options: { force: boolean; noPrune: boolean }): Promise<RemovalItem[]>;
  prune(filters: FilterArgs): Promise<PruneResult>;
  load(source: Readable, signal?: AbortSignal): AsyncIterable<Progress>;
  save(names: readonly string[], signal?: AbortSignal): Readable;
  import(source: Readable, options: ImportOptions): AsyncGenerator<Progress, ImageEntry>;
  layersSize(): number;
  sharedSize(entry: ImageEntry): number;
}

/** Pull and push: what `/images/create?fromImage=` and `/images/{name}/push` need. */
export interface RegistryTransfers {
  pull(request: {
    name: string;
    tag: string;
    platform?: string;
    credentials: Credentials;
    signal?: AbortSignal;
  }): AsyncGenerator<Progress>;
  push(request: {
    name: string;
    tag: string;
    credentials: Credentials;
    signal?: AbortSignal;
  }): AsyncGenerator<Progress>;
}
