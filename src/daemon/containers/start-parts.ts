// What a container start needs from the network and volume services. The lifecycle asks for
// them before the runtime creates the container and gives them back after its exit (or a
// failed start), so each service owns its own set-up and tear-down.

import { readFileSync } from 'node:fs';
import type { ContainerRecord } from '../../core/containers/container.js';
import { extraHostLine } from '../../core/network/etc-files.js';
import type { NamespacesInput } from '../../core/runtime/oci-spec.js';
import type { Mount } from '../../core/runtime/oci-types.js';

/** A container's network as the spec and its /etc files need it. */
export interface NetworkAttachment {
  readonly namespace: NamespacesInput['network'];
  readonly uts: NamespacesInput['uts'];
  /** The /etc/hosts, /etc/resolv.conf and /etc/hostname the container sees. */
  readonly hosts: string;
  readonly resolvConf: string;
  readonly hostname: string;
  /** Added to the process's environment (`--link` gives some). */
  readonly env?: readonly string[];
  /** Sysctls of the container's own network namespace (the container's --sysctl win). */
  readonly sysctls?: Readonly<Record<string, string>>;
  /**
   * `--network container:<id>`: that container's /etc/hosts, /etc/resolv.conf and /etc/hostname
   * are the ones this container sees (bound, not copied: what changes in one shows in both).
   */
  readonly etcFilesOf?: string;
}

/** The network service's part in a start (network modes, interfaces, names). */
export interface ContainerNetworking {
  /** Makes the container's network before the runtime creates it. Rolls back what it made
   * when it fails. */
  attach(c: ContainerRecord): Promise<NetworkAttachment>;
  /** Undoes attach; safe when nothing, or only part, was attached (also after a daemon crash). */
  detach(c: ContainerRecord): Promise<void>;
}

/** The volume service's part in a start (named and anonymous volumes, binds, --mount). */
export interface ContainerVolumes {
  /** The mounts the container gets, made ready (created, copied up) on the host side. */
  mounts(c: ContainerRecord, rootfs: string): Promise<Mount[]>;
  /** After the container's exit or failed start. */
  release(c: ContainerRecord): Promise<void>;
}

const LOCALHOST =
  '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
  'fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

/** Docker's /etc/hosts head, the container's own name lines appended. */
export function hostsFile(own: readonly string[] = [], extra: readonly string[] = []): string {
  return LOCALHOST + [...extra, ...own].map((l) => `${l}\n`).join('');
}

/** The host's /etc/hosts as it is now (Docker's head if the host has none). */
function hostHosts(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return hostsFile();
  }
}

/** The host's resolv.conf, with loopback name servers (unreachable from a container) removed. */
export function containerResolvConf(host: string): string {
  const lines = host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  if (!lines.some((l) => /^\s*nameserver\s/.test(l)))
    lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  return lines.join('\n').replace(/\n*$/, '\n');
}

/**
 * Without a network service: `host` shares the host's namespaces, anything else gets a new,
 * empty namespace (Docker's `none`). As in Docker, no /etc/hosts line names the container (it
 * has no address of its own); `--add-host` lines are there, and the host network without
 * them gets a copy of the host's /etc/hosts.
 */
export function isolatedNetworking(
  hostResolvConf: string,
  options: {
    /** `host-gateway` in --add-host: the default bridge's address, when there is one. */
    readonly hostGateway?: () => string;
    readonly hostHostsPath?: string;
  } = {},
): ContainerNetworking {
  return {
    attach(c) {
      const host = c.host.networkMode === 'host';
      const hostname = c.config.Hostname || c.id.slice(0, 12);
      const extra = (c.host.extraHosts ?? [])
        .map((e) => extraHostLine(e, options.hostGateway?.() ?? ''))
        .filter((l): l is string => l !== undefined);
      return Promise.resolve({
        namespace: host ? { mode: 'host' } : { mode: 'new' },
        uts: host ? 'host' : 'new',
        hosts:
          host && extra.length === 0
            ? hostHosts(options.hostHostsPath ?? '/etc/hosts')
            : hostsFile([], extra),
        resolvConf: containerResolvConf(hostResolvConf),
        hostname,
      });
    },
    detach: () => Promise.resolve(),
  };
}
