// Where a process's cgroups are on this host: one directory per controller under cgroup v1
// (hybrid hosts included: their v2 mount carries no controllers), or one directory under v2.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrno } from '../errors.js';
import { unescapeMountField } from '../layers/mountinfo.js';

/** The controllers the stats and top readers use. */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export type CgroupPaths =
  | { readonly version: 1; readonly dirs: Readonly<Partial<Record<V1Controller, string>>> }
  | { readonly version: 2; readonly dir: string };

/** A mounted cgroup hierarchy: v1 with its controllers, or the v2 unified one. */
export interface CgroupMount {
  readonly version: 1 | 2;
  /** v1: the controllers the hierarchy carries (`cpu`, `cpuacct`...); v2: empty. */
  readonly controllers: readonly string[];
  readonly mountPoint: string;
  /** The cgroup that is the root of this mount (`/` outside a cgroup namespace). */
  readonly root: string;
}

/** The cgroup mounts of a mountinfo text (proc(5)). */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator === -1 || fields.length < separator + 4) continue;
    const fsType = fields[separator + 1];
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    const superOptions = (fields[separator + 3] ?? '').split(',');
    mounts.push({
      version: fsType === 'cgroup' ? 1 : 2,
      controllers:
        fsType === 'cgroup'
          ? superOptions.filter((o) => (V1_CONTROLLERS as readonly string[]).includes(o))
          : [],
      mountPoint: unescapeMountField(fields[4] ?? ''),
      root: unescapeMountField(fields[3] ?? '/'),
    });
  }
  return mounts;
}

/** One line of /proc/<pid>/cgroup: `hierarchy-id:controllers:path`. */
export interface ProcCgroupEntry {
  readonly hierarchyId: number;
  readonly controllers: readonly string[];
  readonly path: string;
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    entries.push({
      hierarchyId: Number(m[1]),
      controllers: m[2] === '' ? [] : (m[2] as string).split(','),
      path: m[3] as string,
    });
  }
  return entries;
}

/** `path` as seen below a mount whose root is `root` (they differ inside a cgroup namespace). */
function below(mountPoint: string, root: string, path: string): string {
  const relative =
    root !== '/' && (path === root || path.startsWith(`${root}/`)) ? path.slice(root.length) : path;
  return join(mountPoint, relative);
}

/**
 * The cgroup directories of a process, from its /proc/<pid>/cgroup and the host's cgroup
 * mounts. v1 wins when a v1 hierarchy carries memory or cpuacct (a hybrid host's v2 mount has
 * no controllers); otherwise the `0::` entry on the cgroup2 mount. Undefined if neither is
 * mounted.
 */
export function resolveCgroupPaths(
  procCgroup: readonly ProcCgroupEntry[],
  mounts: readonly CgroupMount[],
): CgroupPaths | undefined {
  const dirs: Partial<Record<V1Controller, string>> = {};
  for (const entry of procCgroup) {
    if (entry.hierarchyId === 0) continue;
    for (const controller of entry.controllers) {
      if (!(V1_CONTROLLERS as readonly string[]).includes(controller)) continue;
      const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
      if (mount) dirs[controller as V1Controller] = below(mount.mountPoint, mount.root, entry.path);
    }
  }
  if (dirs.memory !== undefined || dirs.cpuacct !== undefined) return { version: 1, dirs };
  const unified = procCgroup.find((e) => e.hierarchyId === 0);
  const mount = mounts.find((m) => m.version === 2);
  if (unified && mount)
    return { version: 2, dir: below(mount.mountPoint, mount.root, unified.path) };
  return undefined;
}

/** The cgroups of a live process; undefined when the process is gone. */
export async function cgroupPathsOf(pid: number): Promise<CgroupPaths | undefined> {
  let procCgroup: string;
  try {
    procCgroup = await readFile(`/proc/${pid}/cgroup`, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ESRCH')) return undefined;
    throw err;
  }
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return resolveCgroupPaths(parseProcCgroup(procCgroup), parseCgroupMounts(mountinfo));
}
