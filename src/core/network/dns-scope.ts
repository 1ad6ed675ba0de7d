// Which names a container sees through the embedded resolver, and which resolver it uses.
// As in Docker, a query is answered from every user network the asking container is on,
// whichever of their resolvers it asks, and from no other network.

import type { Attachment, NetworkRecord } from './network.js';

/** One network a name is looked up on, and the asker's address there (for its links). */
export interface LookupStep {
  readonly networkId: string;
  readonly from: string;
}

/**
 * The networks a query that reached `networkId`'s resolver from `from` is answered from, in
 * order: that network first, then the asker's other networks with names (`named`: the user
 * networks), each with the asker's address there. The asker is the container with that
 * address (addresses are unique: berth's subnets never overlap); a container asks for its
 * own networks' names only, whichever resolver it reaches. An address no container has (the
 * host's) sees the receiving network only.
 */
export function lookupScope(
  attachments: readonly Attachment[],
  named: ReadonlySet<string>,
  networkId: string,
  from: string,
): LookupStep[] {
  const asking =
    attachments.find((a) => a.networkId === networkId && a.ip === from) ??
    attachments.find((a) => a.ip === from);
  if (!asking) return [{ networkId, from }];
  return attachments
    .filter((a) => a.containerId === asking.containerId && a.ip && named.has(a.networkId))
    .sort((a, b) => Number(b.networkId === networkId) - Number(a.networkId === networkId))
    .map((a) => ({ networkId: a.networkId, from: a.ip as string }));
}

/**
 * The embedded resolver a container's resolv.conf names: its primary network's gateway on a
 * user network; on the default bridge, the gateway of the first user network it has an
 * address on (connected later), unless it chose its own servers with `--dns` (berth's
 * resolver forwards to the host's loopback servers only, so those stay in resolv.conf).
 */
export function embeddedResolverOf(
  primary: NetworkRecord,
  attachments: readonly Attachment[],
  networks: readonly NetworkRecord[],
  ownDns: boolean,
): string | undefined {
  if (!primary.isDefault) return primary.gateway;
  if (ownDns) return undefined;
  for (const a of attachments) {
    if (!a.ip) continue;
    const n = networks.find((x) => x.id === a.networkId);
    if (n && n.driver === 'bridge' && !n.isDefault && n.gateway) return n.gateway;
  }
  return undefined;
}
