import type { StatsReport } from '../../../core/containers/stats.js';
import type { ContainerTopResponse } from '../../../types/docker/stats.js';
import { queryBool, sendJson, startJsonStream, writeChunk } from '../../http.js';
import type { Route } from '../../route.js';
import { toDockerStats } from './to-docker-stats.js';

/** What top and stats need from the daemon. */
export interface ContainerStatsBackend {
  top(
    ref: string,
    psArgs: string,
    signal: AbortSignal,
  ): Promise<{ titles: string[]; processes: string[][] }>;
  /** Throws (a missing container, bad options) before the first report. */
  stats(
    ref: string,
    options: { stream: boolean; oneShot: boolean; signal: AbortSignal },
  ): AsyncIterable<StatsReport>;
}

/** `one-shot` exists from API 1.41 on; older clients never mean it. */
function knowsOneShot(apiVersion: string): boolean {
  const [major = 0, minor = 0] = apiVersion.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 41);
}

export function containerStatsRoutes(backend: ContainerStatsBackend): Route[] {
  return [
    {
      methods: ['GET'],
      path: '/containers/:id/top',
      job: 'containers.top',
      handle: async ({ res, params, query, job }) => {
        const table = await backend.top(params['id'] ?? '', query.get('ps_args') ?? '', job.signal);
        const body: ContainerTopResponse = { Titles: table.titles, Processes: table.processes };
        sendJson(res, 200, body);
      },
    },
    {
      methods: ['GET'],
      path: '/containers/:id/stats',
      job: 'containers.stats',
      kind: 'stream',
      handle: async ({ res, params, query, apiVersion, job }) => {
        const stream = queryBool(query, 'stream', true);
        const oneShot = knowsOneShot(apiVersion) && queryBool(query, 'one-shot');
        const reports = backend.stats(params['id'] ?? '', { stream, oneShot, signal: job.signal });
        if (!stream) {
          for await (const report of reports) {
            sendJson(res, 200, toDockerStats(report));
            return;
          }
          throw new Error('no stats report was made');
        }
        startJsonStream(res);
        for await (const report of reports)
          await writeChunk(res, JSON.stringify(toDockerStats(report)) + '\n', job.signal);
        res.end();
      },
    },
  ];
}
