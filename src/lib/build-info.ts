import { readFileSync } from 'node:fs';

export interface BuildInfo {
  readonly version: string;
  readonly gitCommit: string;
  /** RFC 3339. */
  readonly buildTime: string;
}

let cached: BuildInfo | undefined;

/** What scripts/build.mjs recorded beside the compiled code. */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const file = new URL('../../build-info.json', import.meta.url);
  cached = JSON.parse(readFileSync(file, 'utf8')) as BuildInfo;
  return cached;
}
