import type { DiskUsage } from '../../../types/docker/images.js';
import { sendJson } from '../../http.js';
import type { Route } from '../../route.js';
import type { ImagesBackend } from '../images/backend.js';
import { toImageSummary } from '../images/to-docker.js';
import type { VolumeUsage } from '../../../core/volumes/volume.js';
import { toVolumeUsage } from '../volumes/to-docker.js';
import type { ContainersBackend } from '../containers/backend.js';
import { addSizes } from '../containers/routes.js';
import { toContainerSummary } from '../containers/to-docker.js';

/** `GET /system/df`: images, containers and volumes (no build cache: berth has none yet). */
export function diskUsageRoutes(
  images: Pick<ImagesBackend, 'list' | 'layersSize' | 'sharedSize'>,
  volumes?: { usage(): Promise<VolumeUsage[]> },
  containers?: Pick<ContainersBackend, 'list' | 'sizes' | 'network' | 'mountsOf'>,
): Route[] {
  return [
    {
      methods: ['GET'],
      path: '/system/df',
      job: 'system.df',
      handle: async ({ res }) => {
        const records = containers?.list({ all: true, limit: -1, filters: new Map() }) ?? [];
        const summaries = records.map((c) =>
          toContainerSummary(c, {
            mounts: (id) => containers?.mountsOf?.(id) ?? [],
            network: containers?.network?.(c),
          }),
        );
        if (containers) await addSizes(containers, records, summaries);
        const users = new Map<string, number>();
        for (const c of records) users.set(c.imageId, (users.get(c.imageId) ?? 0) + 1);
        const body: DiskUsage = {
          LayersSize: images.layersSize(),
          Images: images.list({ all: true, filters: new Map() }).map((e) =>
            toImageSummary(e, {
              sharedSize: images.sharedSize(e),
              containers: users.get(e.record.id) ?? 0,
            }),
          ),
          Containers: summaries,
          Volumes: ((await volumes?.usage()) ?? []).map(toVolumeUsage),
          BuildCache: [],
          BuilderSize: 0,
        };
        sendJson(res, 200, body);
      },
    },
  ];
}
