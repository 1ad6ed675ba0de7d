// `--device host[:container[:perms]]`: the device nodes a container gets, read from the host at
// each start as Docker does it. A symlink (/dev/disk/by-id/...) is followed; a directory gives
// every device below it, at the same relative path under the container path.

import { lstatSync, readdirSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { join, relative } from 'node:path';
import { BerthError } from '../errors.js';
import type { DeviceInput } from './oci-spec.js';

export interface DeviceMapping {
  readonly pathOnHost: string;
  readonly pathInContainer: string;
  /** `rwm` or a subset. */
  readonly cgroupPermissions: string;
}

/** A subset of r, w and m, each at most once, as Docker's validDeviceMode accepts. */
export function isDeviceMode(mode: string): boolean {
  return /^[rwm]{1,3}$/.test(mode) && new Set(mode).size === mode.length;
}

const MAX_DEVICES_PER_DIRECTORY = 4096;
/** A directory walked for devices is read synchronously: a whole file system (`--device /`) is refused. */
const MAX_ENTRIES_WALKED = 20_000;

export function hostDevices(
  mappings: readonly DeviceMapping[],
  maxEntries = MAX_ENTRIES_WALKED,
): DeviceInput[] {
  const out: DeviceInput[] = [];
  for (const m of mappings) {
    const fail = (why: string): BerthError =>
      new BerthError(
        'invalid-argument',
        `error gathering device information while adding custom device "${m.pathOnHost}": ${why}`,
      );
    let resolved: string;
    let st: BigIntStats;
    try {
      resolved = realpathSync(m.pathOnHost);
      st = statSync(resolved, { bigint: true });
    } catch (err) {
      throw fail(errnoText(err));
    }
    const device = deviceOf(st, m.pathInContainer, m.cgroupPermissions);
    if (device) {
      out.push(device);
      continue;
    }
    if (!st.isDirectory()) throw fail('not a device node');
    const found: DeviceInput[] = [];
    let walked = 0;
    walk(resolved, (path, entry) => {
      if (++walked > maxEntries) throw fail(`more than ${maxEntries} files under it`);
      const d = deviceOf(
        entry,
        join(m.pathInContainer, relative(resolved, path)),
        m.cgroupPermissions,
      );
      if (d) found.push(d);
      if (found.length > MAX_DEVICES_PER_DIRECTORY) throw fail('too many devices');
    });
    out.push(...found);
  }
  return out;
}

function deviceOf(st: BigIntStats, path: string, permissions: string): DeviceInput | undefined {
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (type === undefined) return undefined;
  const rdev = st.rdev;
  // Linux's dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31.
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return {
    path,
    type,
    major,
    minor,
    fileMode: Number(st.mode & 0o777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    cgroupPermissions: permissions,
  };
}

/** Every entry below dir (symlinks not followed), depth first. */
function walk(dir: string, visit: (path: string, st: BigIntStats) => void): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    let st: BigIntStats;
    try {
      st = lstatSync(path, { bigint: true });
    } catch {
      continue; // gone meanwhile
    }
    if (st.isSymbolicLink()) continue;
    visit(path, st);
    if (st.isDirectory()) walk(path, visit);
  }
}

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a directory';
  return (err as Error).message;
}
