// Linux capabilities as Docker grants them (moby oci/caps): a default set, every known
// capability for --privileged and `ALL`, and the --cap-add / --cap-drop rules.

import { BerthError } from '../errors.js';

/** Docker's default capability set, in Docker's order. */
export const DEFAULT_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
]);

/** Every capability Linux knows, indexed by its number (0 = CAP_CHOWN ... 40). */
export const ALL_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
]);

/**
 * The capabilities a kernel supports, given its `/proc/sys/kernel/cap_last_cap` (the caller
 * reads the file). Pass the result as `available` to {@link effectiveCapabilities}.
 */
export function capabilitiesUpTo(lastCap: number): string[] {
  return ALL_CAPABILITIES.slice(0, Math.max(0, lastCap + 1));
}

const ALL = 'ALL';

/**
 * Upper-cases names and adds the `CAP_` prefix (`net_admin` → `CAP_NET_ADMIN`); `ALL` stays.
 * An unknown name is an invalid-argument error worded as Docker's.
 */
export function normalizeCapabilities(
  names: readonly string[],
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  return names.map((raw) => {
    let name = raw.toUpperCase();
    if (name === ALL) return name;
    if (!name.startsWith('CAP_')) name = `CAP_${name}`;
    if (!ALL_CAPABILITIES.includes(name)) {
      throw new BerthError('invalid-argument', `unknown capability: ${JSON.stringify(name)}`);
    }
    if (!available.includes(name)) {
      throw new BerthError(
        'invalid-argument',
        `capability not supported by your kernel or not available in the current environment: ${JSON.stringify(name)}`,
      );
    }
    return name;
  });
}

/**
 * The container's capability set from HostConfig's CapAdd, CapDrop and Privileged, by
 * Docker's rules (moby `caps.TweakCapabilities`):
 * - privileged: every available capability;
 * - `ALL` in capAdd: every available capability except those dropped;
 * - `ALL` in capDrop: exactly capAdd;
 * - otherwise the defaults minus capDrop, then capAdd.
 *
 * `available` is what the host supports (default: every known capability; see
 * {@link capabilitiesUpTo}). Duplicates are removed (Docker keeps them; runc ignores them).
 */
export function effectiveCapabilities(
  capAdd: readonly string[],
  capDrop: readonly string[],
  privileged: boolean,
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  if (privileged) return [...available];
  if (capAdd.length === 0 && capDrop.length === 0) return [...DEFAULT_CAPABILITIES];
  const drop = normalizeCapabilities(capDrop, available);
  const add = normalizeCapabilities(capAdd, available);
  let caps: string[];
  if (add.includes(ALL)) {
    caps = available.filter((c) => !drop.includes(c));
  } else if (drop.includes(ALL)) {
    caps = add;
  } else {
    caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add];
  }
  return [...new Set(caps)];
}

/**
 * The capabilities in a bounding-set mask (`CapBnd:` of /proc/<pid>/status, hex): what this
 * process may give a container. A daemon inside a restricted sandbox has fewer than all.
 */
export function capabilitiesInMask(hexMask: string): string[] {
  const mask = BigInt(`0x${hexMask.trim() || '0'}`);
  return ALL_CAPABILITIES.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}
