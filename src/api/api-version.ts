// The Engine API version berth speaks, and the range of /vX.Y/ prefixes it accepts.
// 1.41 is the version whose request shapes the Docker CLI 28 sends in their simplest form
// (see shared/reference/docker-api-wire-map.md §2); every client negotiates down to it.

import { ENGINE_API_VERSION, ENGINE_MIN_API_VERSION } from '../types/docker/api.js';

export const API_VERSION = ENGINE_API_VERSION;
export const MIN_API_VERSION = ENGINE_MIN_API_VERSION;

export function compareApiVersions(a: string, b: string): number {
  const [amaj = 0, amin = 0] = a.split('.').map(Number);
  const [bmaj = 0, bmin = 0] = b.split('.').map(Number);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

export interface VersionedPath {
  /** The version the request asked for, or API_VERSION when it had no prefix. */
  readonly version: string;
  readonly path: string;
  readonly explicit: boolean;
}

export function splitVersionPrefix(pathname: string): VersionedPath {
  const m = /^\/v(\d+\.\d+)(\/.*)?$/.exec(pathname);
  if (!m) return { version: API_VERSION, path: pathname, explicit: false };
  return { version: m[1] as string, path: m[2] ?? '/', explicit: true };
}

const checked = new Map<string, string | undefined>();

/** Docker's wording for a version outside the supported range, or undefined when it is fine. */
export function unsupportedVersionMessage(version: string): string | undefined {
  if (checked.has(version)) return checked.get(version);
  const message = versionMessage(version);
  if (checked.size < 64) checked.set(version, message);
  return message;
}

function versionMessage(version: string): string | undefined {
  if (compareApiVersions(version, API_VERSION) > 0) {
    return `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`;
  }
  if (compareApiVersions(version, MIN_API_VERSION) < 0) {
    return `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`;
  }
  return undefined;
}
