// A volume as the services and the API edge see it.

import type { VolumeRecord } from '../state/volume-records.js';

/** A volume with where its data is (`<data-root>/volumes/<name>/_data`). */
export interface VolumeView extends VolumeRecord {
  readonly mountpoint: string;
}

/** `system df`: a volume's size and how many containers use it. */
export interface VolumeUsage extends VolumeView {
  readonly size: number;
  readonly refCount: number;
}

export interface VolumeCreateRequest {
  readonly name?: string;
  readonly driver?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly options?: Readonly<Record<string, string>>;
}
