// The archive API (docker cp): HEAD stats a path, GET streams a tar of it, PUT unpacks a tar
// into a directory; and export, a tar of the whole root filesystem.

import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PathStat } from '../../../core/archive/copy-paths.js';
import { invalidArgument } from '../../../core/errors.js';
import type { ContainerPathStat } from '../../../types/docker/containers.js';
import { queryBool } from '../../http.js';
import type { Route } from '../../route.js';

/** What the archive and export routes need from the daemon. */
export interface ContainerFilesBackend {
  statPath(ref: string, path: string): Promise<PathStat>;
  archivePath(
    ref: string,
    path: string,
    signal: AbortSignal,
  ): Promise<{ stat: PathStat; content: Readable }>;
  extractToDir(
    ref: string,
    path: string,
    content: Readable,
    options: { noOverwriteDirNonDir: boolean; copyUidGid: boolean; signal: AbortSignal },
  ): Promise<void>;
  exportContainer(ref: string, signal: AbortSignal): Promise<Readable>;
}

export const PATH_STAT_HEADER = 'X-Docker-Container-Path-Stat';

/** Go's time.RFC3339Nano in UTC: fraction without trailing zeros, none for whole seconds. */
export function rfc3339Nano(ns: bigint): string {
  const nanos = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const seconds = (ns - nanos) / 1_000_000_000n;
  const fraction = nanos.toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}${fraction === '' ? '' : `.${fraction}`}Z`;
}

/** The header's value: base64 of the stat's JSON. */
export function encodePathStat(stat: PathStat): string {
  const wire: ContainerPathStat = {
    name: stat.name,
    size: stat.size,
    mode: stat.mode,
    mtime: rfc3339Nano(stat.mtimeNs),
    linkTarget: stat.linkTarget,
  };
  return Buffer.from(JSON.stringify(wire)).toString('base64');
}

/** The `path` parameter: Docker refuses an empty one (with its own wording). */
function pathParam(query: URLSearchParams): string {
  const path = query.get('path');
  if (path === null || path === '') throw invalidArgument('bad parameter: pathcannot be empty');
  return path;
}

async function sendTar(
  res: ServerResponse,
  content: Readable,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  res.writeHead(200, headers);
  res.flushHeaders();
  await pipeline(content, res, { signal });
}

export function containerArchiveRoutes(backend: ContainerFilesBackend): Route[] {
  return [
    {
      methods: ['HEAD'],
      path: '/containers/:id/archive',
      job: 'containers.stat-path',
      handle: async ({ res, params, query }) => {
        const stat = await backend.statPath(params['id'] ?? '', pathParam(query));
        res.writeHead(200, { [PATH_STAT_HEADER]: encodePathStat(stat) });
        res.end();
      },
    },
    {
      methods: ['GET'],
      path: '/containers/:id/archive',
      job: 'containers.archive',
      kind: 'stream',
      handle: async ({ res, params, query, job }) => {
        const { stat, content } = await backend.archivePath(
          params['id'] ?? '',
          pathParam(query),
          job.signal,
        );
        await sendTar(
          res,
          content,
          { 'Content-Type': 'application/x-tar', [PATH_STAT_HEADER]: encodePathStat(stat) },
          job.signal,
        );
      },
    },
    {
      methods: ['PUT'],
      path: '/containers/:id/archive',
      job: 'containers.extract',
      handle: async ({ req, res, params, query, job }) => {
        try {
          await backend.extractToDir(params['id'] ?? '', pathParam(query), req, {
            noOverwriteDirNonDir: queryBool(query, 'noOverwriteDirNonDir'),
            copyUidGid: queryBool(query, 'copyUIDGID'),
            signal: job.signal,
          });
        } catch (err) {
          // The rest of the upload is read and dropped, so the error response gets through.
          if (!req.complete) req.resume();
          throw err;
        }
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
      },
    },
    {
      methods: ['GET'],
      path: '/containers/:id/export',
      job: 'containers.export',
      kind: 'stream',
      handle: async ({ res, params, job }) => {
        const content = await backend.exportContainer(params['id'] ?? '', job.signal);
        await sendTar(res, content, { 'Content-Type': 'application/octet-stream' }, job.signal);
      },
    },
  ];
}
