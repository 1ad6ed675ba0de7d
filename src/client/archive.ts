// The archive API as the client uses it (docker cp, docker export): stat, download and upload
// of a container path, and the export of a whole container.

import type { IncomingMessage } from 'node:http';
import type { ContainerPathStat } from '../types/docker/containers.js';
import { toApiError, type BerthClient } from './client.js';

const PATH_STAT_HEADER = 'x-docker-container-path-stat';

function archivePath(container: string): string {
  return `/containers/${encodeURIComponent(container)}/archive`;
}

function decodePathStat(
  res: IncomingMessage | { headers: IncomingMessage['headers'] },
): ContainerPathStat {
  const header = res.headers[PATH_STAT_HEADER];
  if (typeof header !== 'string') throw new Error('the daemon sent no path stat');
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ContainerPathStat;
}

/** HEAD: what `path` is in the container (an ApiError if it is missing). */
export async function statContainerPath(
  client: BerthClient,
  container: string,
  path: string,
): Promise<ContainerPathStat> {
  const res = await client.request('HEAD', archivePath(container), { query: { path } });
  if (res.status >= 400) throw toApiError(res);
  return decodePathStat(res);
}

/** GET: the stat of `path` and a tar stream of it. */
export async function copyFromContainer(
  client: BerthClient,
  container: string,
  path: string,
  signal?: AbortSignal,
): Promise<{ stat: ContainerPathStat; content: IncomingMessage }> {
  const res = await client.stream('GET', archivePath(container), { query: { path }, signal });
  return { stat: decodePathStat(res), content: res };
}

/** PUT: unpacks a tar stream into the directory `path` of the container. */
export async function copyToContainer(
  client: BerthClient,
  container: string,
  path: string,
  content: NodeJS.ReadableStream,
  options: { copyUidGid: boolean; signal?: AbortSignal },
): Promise<void> {
  const res = await client.stream('PUT', archivePath(container), {
    query: {
      path,
      noOverwriteDirNonDir: 'true',
      copyUIDGID: options.copyUidGid ? 'true' : undefined,
    },
    upload: content,
    contentType: 'text/plain',
    signal: options.signal,
  });
  res.resume();
}

/** The tar stream of a container's whole file system. */
export function exportContainer(
  client: BerthClient,
  container: string,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return client.stream('GET', `/containers/${encodeURIComponent(container)}/export`, { signal });
}
