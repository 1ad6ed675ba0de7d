// The client's registry credentials, kept as the Docker CLI keeps them: `auths` of a JSON
// config file (`$BERTH_CONFIG/config.json`, else `~/.berth/config.json`), mode 0600, keyed by
// registry host (`https://index.docker.io/v1/` for Docker Hub).

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-file.js';

export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

interface ConfigFile {
  auths?: Record<string, { auth?: string }>;
  [key: string]: unknown;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['BERTH_CONFIG'] || join(env['HOME'] ?? '/root', '.berth');
}

/** The registry host of an image name: the first component when it looks like a host. */
export function registryOf(name: string): string {
  const slash = name.indexOf('/');
  if (slash === -1) return 'docker.io';
  const first = name.slice(0, slash);
  const isHost = /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();
  return isHost && first !== 'index.docker.io' ? first : 'docker.io';
}

/** The key credentials are stored under for a server address as the user typed it. */
export function credentialKey(server: string): string {
  const host = server
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '');
  if (host === '' || ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(host))
    return DOCKER_HUB_KEY;
  return host;
}

async function readConfig(dir: string): Promise<ConfigFile> {
  try {
    return JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as ConfigFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${join(dir, 'config.json')}: ${(err as Error).message}`);
  }
}

async function writeConfig(dir: string, config: ConfigFile): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, '\t') + '\n', 0o600);
}

export async function saveCredentials(
  dir: string,
  key: string,
  username: string,
  password: string,
): Promise<void> {
  const config = await readConfig(dir);
  config.auths = {
    ...config.auths,
    [key]: { auth: Buffer.from(`${username}:${password}`).toString('base64') },
  };
  await writeConfig(dir, config);
}

/** Removes the entry; false when there was none. */
export async function removeCredentials(dir: string, key: string): Promise<boolean> {
  const config = await readConfig(dir);
  if (!config.auths?.[key]) return false;
  delete config.auths[key];
  await writeConfig(dir, config);
  return true;
}

/** The `X-Registry-Auth` header for a registry: its stored credentials, or `{}`. */
export async function registryAuthHeader(dir: string, key: string): Promise<string> {
  const entry = (await readConfig(dir)).auths?.[key];
  if (!entry?.auth) return Buffer.from('{}').toString('base64url');
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return Buffer.from(
    JSON.stringify({
      username: text.slice(0, colon),
      password: text.slice(colon + 1),
      serveraddress: key,
    }),
  ).toString('base64url');
}
