// `POST /auth` (the auth job): the credentials are checked against the registry, as a login
// does: basic auth on `GET /v2/`, or a token from the bearer challenge's realm.

import { BerthError, invalidArgument } from '../../core/errors.js';
import { DEFAULT_DOMAIN } from '../../core/images/reference.js';
import type { Credentials } from '../../core/registry/auth-config.js';
import type { RegistrySettings } from '../../core/registry/endpoints.js';
import { RegistryError } from '../../core/registry/registry-client.js';
import { connectRegistry } from './registry-access.js';

export interface LoginResult {
  readonly status: string;
  readonly identityToken: string;
}

/** `https://index.docker.io/v1/` → docker.io; `http://host:5000/` → host:5000. */
export function registryHost(serverAddress: string | undefined): string {
  const text = (serverAddress ?? '').trim();
  if (text === '') return DEFAULT_DOMAIN;
  const stripped = text.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (stripped === '' || /\s/.test(stripped))
    throw invalidArgument(`invalid registry address ${JSON.stringify(text)}`);
  if (['index.docker.io', 'registry-1.docker.io', 'docker.io'].includes(stripped))
    return DEFAULT_DOMAIN;
  return stripped;
}

export async function login(
  settings: RegistrySettings,
  credentials: Credentials,
  signal?: AbortSignal,
): Promise<LoginResult> {
  const host = registryHost(credentials.serverAddress);
  const client = await connectRegistry(settings, host, credentials, { push: true, signal });
  try {
    await client.checkCredentials();
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    const message = err.message.startsWith('login attempt')
      ? err.message
      : `Get "${client.pingUrl}": ${err.message}`;
    throw new BerthError(err.status === 401 ? 'unauthorized' : 'internal', message);
  }
  return { status: 'Login Succeeded', identityToken: '' };
}
