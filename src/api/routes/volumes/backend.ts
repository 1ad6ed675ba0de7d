import type { FilterArgs } from '../../../core/filters.js';
import type { VolumeCreateRequest, VolumeView } from '../../../core/volumes/volume.js';

/** What the volume routes need from the daemon. */
export interface VolumesBackend {
  create(request: VolumeCreateRequest): Promise<VolumeView>;
  inspect(name: string): VolumeView;
  list(filters: FilterArgs): VolumeView[];
  remove(name: string, options: { force: boolean }): Promise<void>;
  prune(
    filters: FilterArgs,
    options: { anonymousOnly: boolean },
  ): Promise<{ deleted: string[]; spaceReclaimed: number }>;
}
