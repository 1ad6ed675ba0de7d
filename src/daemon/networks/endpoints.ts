// What the network API and a container's start share: finding networks and a container's
// attachments, addresses handed out from the state store, names, events.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ContainerRecord, HostSettings } from '../../core/containers/container.js';
import { isBerthError, notFound } from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import { checkStatic, makePool, nextFree, type Pool } from '../../core/network/ipam.js';
import { formatIp, macOf, parseIp } from '../../core/network/ipv4.js';
import { lookupScope } from '../../core/network/dns-scope.js';
import { resolvConf } from '../../core/network/etc-files.js';
import type { Attachment, NetworkRecord } from '../../core/network/network.js';
import type { NetworkRecords } from '../../core/state/network-records.js';

/** Container states in which it has its network. */
export const LIVE = new Set(['running', 'paused', 'restarting']);

/** The containers role both sides need (late-bound: containers and networks refer to each other). */
export type ContainerLookup = () => {
  resolve(ref: string): ContainerRecord;
  all(): ContainerRecord[];
};

export function endpointIdOf(containerId: string, networkId: string): string {
  return createHash('sha256').update(`${containerId}/${networkId}`).digest('hex');
}

/** The host end of a container's veth on a network: stable, so a restarted daemon finds it. */
export function hostVethOf(containerId: string, networkId: string): string {
  return `veth${endpointIdOf(containerId, networkId).slice(0, 10)}`;
}

/** Where a container's network namespace is bind-mounted. */
export function nsPathOf(execRoot: string, containerId: string): string {
  return join(execRoot, 'netns', containerId);
}

/** By full ID, name, or unique ID prefix; a 404 `network X not found` otherwise. */
export function resolveNetwork(records: NetworkRecords, ref: string): NetworkRecord {
  const all = records.networks();
  const exact = all.find((n) => n.id === ref) ?? all.find((n) => n.name === ref);
  if (exact) return exact;
  const byPrefix = all.filter((n) => ref !== '' && n.id.startsWith(ref));
  if (byPrefix.length === 1) return byPrefix[0] as NetworkRecord;
  throw notFound(`network ${ref} not found`);
}

export function attachmentsOf(records: NetworkRecords, containerId: string): Attachment[] {
  return records.attachments().filter((a) => a.containerId === containerId);
}

/** The network a container's mode names (undefined for host, none and container:). */
export function primaryNetworkName(
  host: Pick<HostSettings, 'networkMode'>,
  settings: { readonly bridge: string },
): string | undefined {
  const mode = host.networkMode;
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return undefined;
  // `--bridge none`: no default network, so the default is no network.
  if (mode === 'default') return settings.bridge === 'none' ? undefined : 'bridge';
  return mode;
}

export function poolOf(n: NetworkRecord): Pool {
  return makePool({
    subnet: n.subnet as string,
    ...(n.gateway ? { gateway: n.gateway } : {}),
    ...(n.ipRange ? { ipRange: n.ipRange } : {}),
  });
}

/**
 * An address for the container on `n`, recorded at once: the static one asked for, or the
 * lowest free. (No await between the read and the write: two starts never get the same.)
 */
export function allocateAddress(
  records: NetworkRecords,
  containerId: string,
  n: NetworkRecord,
  wanted?: string,
): number {
  const pool = poolOf(n);
  const used = new Set(
    records
      .attachments()
      .filter((a) => a.networkId === n.id && a.ip && a.containerId !== containerId)
      .map((a) => parseIp(a.ip as string) as number),
  );
  const ip = wanted ? checkStatic(pool, wanted, used) : nextFree(pool, used);
  records.setAddress(containerId, n.id, { ip: formatIp(ip), mac: macOf(ip), ports: [] });
  return ip;
}

/**
 * The addresses `name` has on a network: a container's name, short ID or alias there, or,
 * for the container asking (at address `from`), the alias one of its links gives (`--link
 * target:alias` on a user network names the target for the linking container only).
 */
export function addressesOfName(
  records: NetworkRecords,
  containers: ContainerLookup,
  networkId: string,
  name: string,
  from?: string,
): string[] {
  const on = records.attachments().filter((a) => a.networkId === networkId && a.ip);
  const known = (id: string): ContainerRecord | undefined => {
    try {
      return containers().resolve(id);
    } catch (err) {
      if (isBerthError(err, 'not-found')) return undefined;
      throw err;
    }
  };
  const out: string[] = [];
  for (const a of on) {
    const c = known(a.containerId);
    if (!c) continue;
    const names = [c.name, c.id.slice(0, 12), ...(a.config.aliases ?? [])];
    if (names.some((n) => n.toLowerCase() === name)) out.push(a.ip as string);
  }
  if (out.length > 0 || from === undefined) return out;
  const asking = on.find((a) => a.ip === from);
  const self = asking && known(asking.containerId);
  if (!asking || !self) return out;
  for (const link of [...(self.host.links ?? []), ...(asking.config.links ?? [])]) {
    const [target = '', alias = target] = link.split(':');
    if (alias.replace(/^.*\//, '').toLowerCase() !== name) continue;
    const t = known(target);
    const ip = t && on.find((a) => a.containerId === t.id)?.ip;
    if (ip && !out.includes(ip)) out.push(ip);
  }
  return out;
}

/**
 * What the resolver of `networkId` answers the container at `from` for `name`: the addresses
 * on the first of the asker's user networks (that one first) where the name is known.
 */
export function addressesSeenBy(
  records: NetworkRecords,
  containers: ContainerLookup,
  networkId: string,
  name: string,
  from: string,
): string[] {
  const named = new Set(
    records
      .networks()
      .filter((n) => n.driver === 'bridge' && !n.isDefault)
      .map((n) => n.id),
  );
  for (const step of lookupScope(records.attachments(), named, networkId, from)) {
    const found = addressesOfName(records, containers, step.networkId, name, step.from);
    if (found.length > 0) return found;
  }
  return [];
}

/** A container's resolv.conf: its --dns options (else the daemon's) over the host's file. */
export function containerResolvConf(
  c: ContainerRecord,
  settings: {
    readonly dns: readonly string[];
    readonly dnsSearch: readonly string[];
    readonly dnsOptions: readonly string[];
  },
  hostResolvConf: string,
  embedded: string | undefined,
): string {
  return resolvConf(
    hostResolvConf,
    {
      nameservers: c.host.dns?.length ? c.host.dns : settings.dns,
      search: c.host.dnsSearch?.length ? c.host.dnsSearch : settings.dnsSearch,
      options: c.host.dnsOptions?.length ? c.host.dnsOptions : settings.dnsOptions,
    },
    embedded,
  );
}

export function publishNetworkEvent(
  events: EventPublisher,
  action: string,
  n: NetworkRecord,
  containerId?: string,
): void {
  events.publish({
    type: 'network',
    action,
    actor: {
      id: n.id,
      attributes: {
        ...(containerId ? { container: containerId } : {}),
        name: n.name,
        type: n.driver,
      },
    },
  });
}
