// The HostConfig Docker keeps for a new container: what the client sent, with the daemon's
// defaults filled in where it sent none, as `docker inspect` then shows it.

import {
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  DEFAULT_SHM_SIZE,
} from '../runtime/oci-spec.js';

type Document = Record<string, unknown>;

/**
 * Fills in ShmSize, IpcMode, CgroupnsMode (berth shares the host's cgroup namespace),
 * OomKillDisable, and, unless privileged, MaskedPaths and ReadonlyPaths; "unlimited"
 * PidsLimit (0 or less) and MemorySwappiness (-1) become null, as Docker stores them.
 */
export function withHostConfigDefaults(sent: Readonly<Document>): Document {
  const out: Document = { ...sent };
  const privileged = sent['Privileged'] === true;
  if (!out['ShmSize']) out['ShmSize'] = DEFAULT_SHM_SIZE;
  if (!out['IpcMode']) out['IpcMode'] = 'private';
  if (!out['CgroupnsMode']) out['CgroupnsMode'] = 'host';
  out['OomKillDisable'] ??= false;
  if (typeof out['PidsLimit'] === 'number' && out['PidsLimit'] <= 0) out['PidsLimit'] = null;
  if (out['MemorySwappiness'] === -1) out['MemorySwappiness'] = null;
  if (out['MaskedPaths'] == null && !privileged) out['MaskedPaths'] = [...DEFAULT_MASKED_PATHS];
  if (out['ReadonlyPaths'] == null && !privileged)
    out['ReadonlyPaths'] = [...DEFAULT_READONLY_PATHS];
  // Docker's label option for what shares the host's (no SELinux labels), unless one is given.
  const securityOpt = Array.isArray(sent['SecurityOpt']) ? (sent['SecurityOpt'] as unknown[]) : [];
  const labelled = securityOpt.some((o) => typeof o === 'string' && /^label[=:]/.test(o));
  if (!labelled && (privileged || sent['IpcMode'] === 'host' || sent['PidMode'] === 'host'))
    out['SecurityOpt'] = [...securityOpt, 'label=disable'];
  return out;
}
