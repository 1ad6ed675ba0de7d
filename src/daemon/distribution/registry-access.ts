// What pull, push, login and search share: reaching a registry (endpoint order, credentials)
// and turning its errors into the ones Docker reports.

import { BerthError, notFound, unavailable } from '../../core/errors.js';
import { familiarRepository, familiarString, type Reference } from '../../core/images/reference.js';
import type { Credentials } from '../../core/registry/auth-config.js';
import {
  endpointsFor,
  isLoopbackHost,
  type Endpoint,
  type RegistrySettings,
} from '../../core/registry/endpoints.js';
import {
  EndpointUnreachable,
  RegistryClient,
  RegistryError,
} from '../../core/registry/registry-client.js';

export interface DistributionSettings extends RegistrySettings {
  readonly maxConcurrentDownloads: number;
  readonly maxConcurrentUploads: number;
  /** Attempts at each layer download before the pull fails (--max-download-attempts). */
  readonly maxDownloadAttempts: number;
}

/** The endpoints of `domain` in order (mirrors first for docker.io pulls), loopback-only if set. */
export async function registryEndpoints(
  settings: RegistrySettings,
  domain: string,
  options: { push?: boolean } = {},
): Promise<Endpoint[]> {
  let endpoints = await endpointsFor(domain, settings, { push: options.push });
  if (settings.loopbackOnly) {
    endpoints = endpoints.filter((e) => isLoopbackHost(new URL(e.base).host));
    if (endpoints.length === 0)
      throw unavailable(
        `refusing to contact registry ${domain}: this daemon reaches loopback registries only (BERTH_TEST_HOOKS=1)`,
      );
  }
  return endpoints;
}

/** Connects to the first endpoint of `domain` that answers. */
export async function connectRegistry(
  settings: RegistrySettings,
  domain: string,
  credentials: Credentials,
  options: { push?: boolean; signal?: AbortSignal } = {},
): Promise<RegistryClient> {
  const endpoints = await registryEndpoints(settings, domain, options);
  try {
    return await RegistryClient.connect(endpoints, credentials, options.signal);
  } catch (err) {
    if (err instanceof EndpointUnreachable) throw new BerthError('internal', err.message);
    throw err;
  }
}

/** A registry error during a pull, as Docker words it (a missing or denied repository is a 404). */
export function pullError(err: unknown, ref: Reference): unknown {
  if (!(err instanceof RegistryError)) return err;
  switch (err.code) {
    case 'MANIFEST_UNKNOWN':
      return notFound(`manifest for ${familiarString(ref)} not found: ${err.message}`);
    case 'NAME_UNKNOWN':
      return notFound(`repository ${familiarRepository(ref)} not found: ${err.message}`);
    case 'DENIED':
      return notFound(
        `pull access denied for ${familiarRepository(ref)}, repository does not exist or may require 'docker login': ${err.message}`,
      );
    default:
      return new BerthError('internal', err.message);
  }
}

/** Any other registry error: its message, as a daemon error. */
export function registryError(err: unknown): unknown {
  if (err instanceof RegistryError || err instanceof EndpointUnreachable)
    return new BerthError('internal', err.message);
  return err;
}
