// `docker diff` and `docker commit`: a container's file system changes, and an image made of them.

import type { ChangeKind, FileChange } from '../../../core/layers/changes.js';
import type { ContainerDefaults } from '../../../core/images/image-config.js';
import type {
  ContainerChangeResponseItem,
  ContainerCommitResponse,
} from '../../../types/docker/containers.js';
import { asObject } from '../../decode.js';
import { readJsonBody, sendJson } from '../../http.js';
import type { Route } from '../../route.js';
import { decodeContainerConfig } from './routes.js';

/** What diff and commit need from the daemon. */
export interface ContainerCommitBackend {
  changes(ref: string, signal: AbortSignal): Promise<FileChange[]>;
  /** Returns the new image's ID. */
  commit(request: {
    container: string;
    repo: string;
    tag: string;
    author: string;
    comment: string;
    changes: readonly string[];
    config: ContainerDefaults | undefined;
    pause: boolean;
    signal: AbortSignal;
  }): Promise<string>;
}

const KIND: Record<ChangeKind, ContainerChangeResponseItem['Kind']> = {
  modified: 0,
  added: 1,
  deleted: 2,
};

/** Docker reads `pause` loosely: absent is true, and only "", 0, no, false and none are false. */
function pauseParam(value: string | null): boolean {
  if (value === null) return true;
  return !['', '0', 'no', 'false', 'none'].includes(value.trim().toLowerCase());
}

/**
 * The config a commit request carries: undefined (the container's own) for an empty body,
 * `null`, or an object with no Config field, as Docker decodes it.
 */
function decodeCommitConfig(body: unknown): ContainerDefaults | undefined {
  const root = asObject(body, 'body');
  if (root === undefined) return undefined;
  const config = decodeContainerConfig(root, 'Config');
  return Object.values(config).some((v) => v !== undefined) ? config : undefined;
}

export function containerCommitRoutes(backend: ContainerCommitBackend): Route[] {
  return [
    {
      methods: ['GET'],
      path: '/containers/:id/changes',
      job: 'containers.changes',
      handle: async ({ res, params, job }) => {
        const changes = await backend.changes(params['id'] ?? '', job.signal);
        // Docker answers null, not [], when nothing changed.
        const body: ContainerChangeResponseItem[] | null =
          changes.length === 0 ? null : changes.map((c) => ({ Path: c.path, Kind: KIND[c.kind] }));
        sendJson(res, 200, body);
      },
    },
    {
      methods: ['POST'],
      path: '/commit',
      job: 'containers.commit',
      handle: async ({ req, res, query, job }) => {
        const id = await backend.commit({
          container: query.get('container') ?? '',
          repo: query.get('repo') ?? '',
          tag: query.get('tag') ?? '',
          author: query.get('author') ?? '',
          comment: query.get('comment') ?? '',
          changes: query.getAll('changes'),
          config: decodeCommitConfig(await readJsonBody(req)),
          pause: pauseParam(query.get('pause')),
          signal: job.signal,
        });
        const body: ContainerCommitResponse = { Id: id };
        sendJson(res, 201, body);
      },
    },
  ];
}
