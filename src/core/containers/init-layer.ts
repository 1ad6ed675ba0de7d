// A container's init layer, between its image and its writable layer, as Docker makes it: the
// mount targets the runtime needs (/etc/hosts, /proc, ...) are created there when the image
// lacks them, so that the writable layer holds only what the container itself changed
// (`docker diff` and `docker commit` leave them out).

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
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

/**
 * Makes init layers. The first one on a parent is filled through a mount, as
 * createInitLayer does; its diff is then kept as a template, and later ones on the same
 * parent (overlay2: an init layer's diff is all it adds) are copies of it, without the mount,
 * fill and umount that cost ~15 ms of every create. Templates are written whole or not at all
 * (a temporary name, then a rename) and live until the daemon starts again.
 */
export class InitLayers {
  constructor(
    private readonly deps: {
      readonly driver: StorageDriver;
      /** Where the templates live; emptied by reset(). */
      readonly templates: string;
      /** Copies a directory's content, owners, modes, times and xattrs (cp -a). */
      readonly copy: (from: string, to: string) => Promise<void>;
    },
  ) {}

  /** Drops every template (at start-up: the layers they came from may have changed). */
  async reset(): Promise<void> {
    await rm(this.deps.templates, { recursive: true, force: true });
    await mkdir(this.deps.templates, { recursive: true, mode: 0o700 });
  }

  async create(id: string, parent: string | undefined): Promise<void> {
    const { driver } = this.deps;
    const template = parent === undefined ? undefined : join(this.deps.templates, parent);
    if (driver.name !== 'overlay2' || template === undefined) {
      await createInitLayer(driver, id, parent);
      return;
    }
    if (await isDirectory(template)) {
      await driver.create(id, parent);
      try {
        await this.deps.copy(template, driver.diffPath(id));
        return;
      } catch {
        await driver.remove(id); // and made the long way below
      }
    }
    await createInitLayer(driver, id, parent);
    const temp = `${template}.${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(temp, { mode: 0o755 });
      await this.deps.copy(driver.diffPath(id), temp);
      await rename(temp, template);
    } catch {
      // Only a template lost: the next create on this parent makes one again.
      await rm(temp, { recursive: true, force: true });
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await lstatOrUndefined(path))?.isDirectory() === true;
}
