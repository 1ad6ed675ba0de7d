import { checkEventFilters } from '../../../core/events.js';
import type { BerthCommand, BerthJob } from '../../../types/docker/system.js';
import { API_VERSION } from '../../api-version.js';
import { parseFiltersParam } from '../../filters.js';
import { sendJson, startJsonStream, writeChunk } from '../../http.js';
import type { Route } from '../../route.js';
import { parseTimestampParam } from '../../timestamps.js';
import type { SystemRouteDeps } from './backend.js';
import { eventToJson, toDockerInfo, toDockerVersion } from './to-docker.js';

export function systemRoutes(deps: SystemRouteDeps): Route[] {
  return [
    {
      methods: ['GET', 'HEAD'],
      path: '/_ping',
      job: 'ping',
      handle: async ({ req, res }) => {
        res.setHeader('Api-Version', API_VERSION);
        res.setHeader('Builder-Version', '1');
        res.setHeader('Swarm', 'inactive');
        res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
        res.setHeader('Pragma', 'no-cache');
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        if (req.method === 'HEAD') {
          res.setHeader('Content-Length', '0');
          res.writeHead(200);
          res.end();
          return;
        }
        res.setHeader('Content-Length', '2');
        res.writeHead(200);
        res.end('OK');
      },
    },
    {
      methods: ['GET'],
      path: '/version',
      job: 'version',
      handle: async ({ res }) => sendJson(res, 200, toDockerVersion(deps.system.version())),
    },
    {
      methods: ['GET'],
      path: '/info',
      job: 'info',
      handle: async ({ res }) =>
        sendJson(res, 200, toDockerInfo(deps.system.info(), deps.system.version())),
    },
    {
      methods: ['GET'],
      path: '/events',
      job: 'events',
      kind: 'stream',
      handle: async ({ res, query, job }) => {
        const since = parseTimestampParam('since', query.get('since'));
        const until = parseTimestampParam('until', query.get('until'));
        const filters = parseFiltersParam(query.get('filters'));
        checkEventFilters(filters);
        startJsonStream(res);
        for await (const event of deps.events.stream({
          since,
          until,
          filters,
          signal: job.signal,
        })) {
          await writeChunk(res, eventToJson(event) + '\n', job.signal);
        }
        res.end();
      },
    },
    {
      methods: ['GET'],
      path: '/berth/commands',
      job: 'commands',
      handle: async ({ res }) => {
        const body: BerthCommand[] = deps.engine
          .commands()
          .map((c) => ({ Name: c.name, Kind: c.kind }));
        sendJson(res, 200, body);
      },
    },
    {
      methods: ['GET'],
      path: '/berth/jobs',
      job: 'jobs',
      handle: async ({ res }) => {
        const body: BerthJob[] = deps.engine.active().map((j) => ({
          ID: j.id,
          Name: j.name,
          Kind: j.kind,
          Status: j.status,
          StartedAt: j.startedAt,
          Log: [...j.log],
        }));
        sendJson(res, 200, body);
      },
    },
  ];
}
