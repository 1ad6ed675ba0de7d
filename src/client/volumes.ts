// The volume endpoints, over a BerthClient.

import type { Volume, VolumeListResponse, VolumesPruneResponse } from '../types/docker/volumes.js';
import { encodeFilters, toApiError, type BerthClient } from './client.js';

export interface VolumeCreateOptions {
  readonly name?: string;
  readonly driver?: string;
  readonly labels?: Record<string, string>;
  readonly options?: Record<string, string>;
}

export function createVolume(client: BerthClient, options: VolumeCreateOptions): Promise<Volume> {
  return client.json('POST', '/volumes/create', {
    body: {
      ...(options.name ? { Name: options.name } : {}),
      Driver: options.driver || 'local',
      ...(options.options && Object.keys(options.options).length > 0
        ? { DriverOpts: options.options }
        : {}),
      ...(options.labels && Object.keys(options.labels).length > 0
        ? { Labels: options.labels }
        : {}),
    },
  });
}

export function inspectVolume(client: BerthClient, name: string): Promise<Volume> {
  return client.json('GET', `/volumes/${encodeURIComponent(name)}`);
}

export function listVolumes(
  client: BerthClient,
  filters: Record<string, string[]>,
): Promise<VolumeListResponse> {
  return client.json('GET', '/volumes', { query: { filters: encodeFilters(filters) } });
}

export async function removeVolume(
  client: BerthClient,
  name: string,
  options: { force?: boolean } = {},
): Promise<void> {
  const res = await client.request('DELETE', `/volumes/${encodeURIComponent(name)}`, {
    query: { force: options.force || undefined },
  });
  if (res.status >= 400) throw toApiError(res);
}

export function pruneVolumes(
  client: BerthClient,
  filters: Record<string, string[]>,
): Promise<VolumesPruneResponse> {
  return client.json('POST', '/volumes/prune', { query: { filters: encodeFilters(filters) } });
}
