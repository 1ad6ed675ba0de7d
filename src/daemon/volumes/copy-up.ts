// Docker's copy-up: a volume mounted for the first time and still empty gets the image's content
// at the mount's destination (ownership, modes, symlinks, hard links, xattrs, times kept).

import { mkdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { hasErrno } from '../../core/errors.js';
import { runCommand } from '../../core/layers/run-command.js';
import { at, ScopedPathError, ScopedRoot } from '../../lib/scoped-fs/scoped-root.js';

const COPY_TIMEOUT_MS = 10 * 60_000;

/**
 * Copies the directory `destination` names inside `rootfs` (symlinks resolved inside it) into
 * `target` when `target` is empty. Nothing happens when the image has no directory there.
 */
export async function copyUp(rootfs: string, destination: string, target: string): Promise<void> {
  if ((await readdir(target)).length > 0) return;
  const scoped = ScopedRoot.open(rootfs);
  try {
    let found;
    try {
      found = scoped.find(destination, { follow: true });
    } catch (err) {
      if (err instanceof ScopedPathError) return;
      throw err;
    }
    try {
      if (!found.stat?.isDirectory()) return;
      const dir = scoped.openFound(found);
      if (!dir) return;
      try {
        // The held descriptor, not a path string: a symlink swapped in meanwhile cannot
        // redirect the copy out of the container's tree.
        await runCommand(
          'cp',
          ['-a', '--no-dereference', '--', `/proc/${process.pid}/fd/${dir.fd}/.`, `${target}/`],
          { timeoutMs: COPY_TIMEOUT_MS },
        );
      } finally {
        scoped.release(dir);
      }
    } finally {
      scoped.release(found.dir);
    }
  } finally {
    scoped.close();
  }
}

/**
 * Makes the directory a volume or tmpfs is mounted on inside `rootfs` (symlinks resolved inside
 * it), as Docker does at create; an existing entry is left as it is.
 */
export function ensureMountDirectory(rootfs: string, destination: string): void {
  const scoped = ScopedRoot.open(rootfs);
  try {
    const found = scoped.find(destination, { follow: true, createParents: true, syscall: 'mkdir' });
    try {
      if (found.stat === undefined && found.name !== '') {
        try {
          mkdirSync(at(found.dir, found.name), 0o755);
        } catch (err) {
          if (!hasErrno(err, 'EEXIST')) throw err;
        }
      }
    } finally {
      scoped.release(found.dir);
    }
  } finally {
    scoped.close();
  }
}
