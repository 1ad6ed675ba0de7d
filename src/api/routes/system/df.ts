import type { DiskUsage } from '../../../types/docker/images.js';
import { sendJson } from '../../http.js';
import type { Route } from '../../route.js';
import type { ImagesBackend } from '../images/backend.js';
import { toImageSummary } from '../images/to-docker.js';
import type { VolumeUsage } from '../../../core/volumes/volume.js';
import { toVolumeUsage } from '../volumes/to-docker.js';

/** `GET /system/df`: the image part now; containers, volumes and build cache join it later. */
export function diskUsageRoutes(
  images: Pick<ImagesBackend, 'list' | 'layersSize' | 'sharedSize'>,
  volumes?: { usage(): Promise<VolumeUsage[]> },
): Route[] {
  return [
    {
      methods: ['GET'],
      path: '/system/df',
      job: 'system.df',
      handle: async ({ res }) => {
        const body: DiskUsage = {
          LayersSize: images.layersSize(),
          Images: images
            .list({ all: true, filters: new Map() })
            .map((e) => toImageSummary(e, { sharedSize: images.sharedSize(e), containers: 0 })),
          Containers: [],
          Volumes: ((await volumes?.usage()) ?? []).map(toVolumeUsage),
          BuildCache: [],
          BuilderSize: 0,
        };
        sendJson(res, 200, body);
      },
    },
  ];
}
