// A container's /etc/passwd and /etc/group, as user resolution (start, exec, cp) reads them.

import { ScopedRoot } from '../../lib/scoped-fs/scoped-root.js';

/** The most of /etc/passwd or /etc/group read to resolve a user. */
const ACCOUNT_FILE_MAX = 4 << 20;

/**
 * The account files of the root file system at `rootfs`, read without following a symlink out
 * of it (a container's /etc/passwd may point anywhere on the host); '' for a missing one.
 */
export function readAccounts(rootfs: string): { passwd: string; group: string } {
  const root = ScopedRoot.open(rootfs);
  try {
    return {
      passwd: root.readText('/etc/passwd', ACCOUNT_FILE_MAX) ?? '',
      group: root.readText('/etc/group', ACCOUNT_FILE_MAX) ?? '',
    };
  } finally {
    root.close();
  }
}
