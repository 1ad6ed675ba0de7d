// A container's init layer, between its image and its writable layer, as Docker makes it: the
// mount targets the runtime needs (/etc/hosts, /proc, ...) are created there when the image
// lacks them, so that the writable layer holds only what the container itself changed
// (`docker diff` and `docker commit` leave them out).

import { constants } from 'node:fs';
import { lstat, mkdir, open, symlink } from 'node:fs/promises';
import { hasErrno } from '../errors.js';
import type { StorageDriver } from '../layers/storage-driver.js';

/** Docker's init layer entries: a directory, an empty file, or a symlink to the target. */
const ENTRIES: readonly { path: string; kind: 'dir' | 'file' | { symlink: string } }[] = [
  { path: '/dev/pts', kind: 'dir' },
  { path: '/dev/shm', kind: 'dir' },
  { path: '/proc', kind: 'dir' },
  { path: '/sys', kind: 'dir' },
  { path: '/.dockerenv', kind: 'file' },
  { path: '/etc/resolv.conf', kind: 'file' },
  { path: '/etc/hosts', kind: 'file' },
  { path: '/etc/hostname', kind: 'file' },
  { path: '/dev/console', kind: 'file' },
  { path: '/etc/mtab', kind: { symlink: '/proc/mounts' } },
];

/** The driver id of the init layer of the container whose writable layer is `driverId`. */
export function initLayerId(driverId: string): string {
  return `${driverId}init`;
}

/**
 * Creates the init layer `id` on `parent` (the image's top layer) and fills it. A failure
 * leaves no layer behind.
 */
export async function createInitLayer(
  driver: StorageDriver,
  id: string,
  parent: string | undefined,
): Promise<void> {
  await driver.create(id, parent);
  try {
    const rootfs = await driver.mount(id);
    try {
      await fillInitLayer(rootfs);
    } finally {
      await driver.unmount(id);
    }
  } catch (err) {
    await driver.remove(id);
    throw err;
  }
}

/**
 * Creates each entry the image lacks, with its missing parent directories (0755, root's).
 * An entry under a symlink or a non-directory is left to the runtime, which resolves mount
 * targets inside the root itself: nothing is ever written outside `rootfs`.
 */
export async function fillInitLayer(rootfs: string): Promise<void> {
  for (const entry of ENTRIES) {
    if ((await lstatOrUndefined(rootfs + entry.path)) !== undefined) continue;
    if (!(await ensureParents(rootfs, entry.path))) continue;
    const path = rootfs + entry.path;
    if (entry.kind === 'dir') {
      await mkdir(path, { mode: 0o755 });
    } else if (entry.kind === 'file') {
      const flags =
        constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;
      const file = await open(path, flags, 0o755);
      try {
        await file.chmod(0o755);
      } finally {
        await file.close();
      }
    } else {
      await symlink(entry.kind.symlink, path);
    }
  }
}

/** Makes the missing directories above `path`; false if one of them is not a directory. */
async function ensureParents(rootfs: string, path: string): Promise<boolean> {
  const parts = path.split('/').filter(Boolean).slice(0, -1);
  let dir = rootfs;
  for (const part of parts) {
    dir = `${dir}/${part}`;
    const stat = await lstatOrUndefined(dir);
    if (stat === undefined) await mkdir(dir, { mode: 0o755 });
    else if (!stat.isDirectory()) return false;
  }
  return true;
}

async function lstatOrUndefined(
  path: string,
): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw err;
  }
}
