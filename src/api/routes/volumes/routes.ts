import { compareApiVersions } from '../../api-version.js';
import { asObject, optString, optStringMap } from '../../decode.js';
import { parseFiltersParam } from '../../filters.js';
import { queryBool, readJsonBody, sendJson, sendNoContent } from '../../http.js';
import type { Route } from '../../route.js';
import type { VolumeListResponse, VolumesPruneResponse } from '../../../types/docker/volumes.js';
import type { VolumesBackend } from './backend.js';
import { toVolume } from './to-docker.js';

export function volumeRoutes(volumes: VolumesBackend): Route[] {
  return [
    {
      methods: ['POST'],
      path: '/volumes/create',
      job: 'volumes.create',
      handle: async ({ req, res }) => {
        const body = asObject(await readJsonBody(req), 'body') ?? {};
        const created = await volumes.create({
          name: optString(body, 'Name', 'body'),
          driver: optString(body, 'Driver', 'body'),
          labels: optStringMap(body, 'Labels', 'body'),
          options: optStringMap(body, 'DriverOpts', 'body'),
        });
        sendJson(res, 201, toVolume(created));
      },
    },
    {
      methods: ['GET'],
      path: '/volumes',
      job: 'volumes.list',
      handle: async ({ res, query }) => {
        const body: VolumeListResponse = {
          Volumes: volumes.list(parseFiltersParam(query.get('filters'))).map(toVolume),
          Warnings: null,
        };
        sendJson(res, 200, body);
      },
    },
    {
      methods: ['GET'],
      path: '/volumes/:name',
      job: 'volumes.inspect',
      handle: async ({ res, params }) =>
        sendJson(res, 200, toVolume(volumes.inspect(params['name'] ?? ''))),
    },
    {
      methods: ['DELETE'],
      path: '/volumes/:name',
      job: 'volumes.remove',
      handle: async ({ res, params, query }) => {
        await volumes.remove(params['name'] ?? '', { force: queryBool(query, 'force') });
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/volumes/prune',
      job: 'volumes.prune',
      handle: async ({ res, query, apiVersion }) => {
        const result = await volumes.prune(parseFiltersParam(query.get('filters')), {
          // API 1.42 made prune leave named volumes alone unless the `all` filter is set.
          anonymousOnly: compareApiVersions(apiVersion, '1.42') >= 0,
        });
        const body: VolumesPruneResponse = {
          VolumesDeleted: result.deleted,
          SpaceReclaimed: result.spaceReclaimed,
        };
        sendJson(res, 200, body);
      },
    },
  ];
}
