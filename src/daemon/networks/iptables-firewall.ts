// The daemon's chains through iptables-save/-restore: installed at start-up, rewritten whole
// (one atomic `iptables-restore --noflush`) from the state store on every change, removed at
// a clean shutdown. Rewrites run one at a time, each from the state at its turn.

import {
  chainNames,
  installText,
  removeText,
  rulesText,
  type ChainNames,
  type FirewallNetwork,
  type FirewallPort,
} from '../../core/network/firewall.js';
import type { NetworkRecord } from '../../core/network/network.js';
import type { NetworkRecords } from '../../core/state/network-records.js';
import { runTool } from './host-tools.js';

export class IptablesFirewall {
  readonly #names: ChainNames;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      records: NetworkRecords;
      /** Names the chains apart from other daemons' ('' for the default daemon). */
      tag: string;
      /** `--iptables=false`: berth leaves the firewall alone. */
      enabled: boolean;
      /** The default bridge's --icc and --ip-masq (user networks have theirs as options). */
      icc: boolean;
      ipMasq: boolean;
    },
  ) {
    this.#names = chainNames(deps.tag);
  }

  /** Our chains, emptied (a crash's leftovers), and jumped to from the built-in chains. */
  async install(): Promise<void> {
    if (!this.deps.enabled) return;
    await restore(installText(this.#names, await save()));
  }

  /** Our jumps and chains removed; nobody else's touched. */
  async remove(): Promise<void> {
    await this.#queue;
    if (!this.deps.enabled) return;
    const text = removeText(this.#names, await save());
    if (text) await restore(text);
  }

  /** Rewrites our chains from the networks and published ports in the state store. */
  apply(): Promise<void> {
    if (!this.deps.enabled) return Promise.resolve();
    const next = this.#queue.then(() => restore(this.#rules()));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #rules(): string {
    const networks = this.deps.records.networks().filter((n) => n.driver === 'bridge');
    const byId = new Map(networks.map((n) => [n.id, n]));
    const ports: FirewallPort[] = [];
    for (const a of this.deps.records.attachments()) {
      const n = byId.get(a.networkId);
      if (!n?.bridge || !a.ip) continue;
      for (const m of a.ports ?? [])
        ports.push({ bridge: n.bridge, containerIp: a.ip, mapping: m });
    }
    return rulesText(
      this.#names,
      networks.map((n) => this.#network(n)),
      ports,
    );
  }

  #network(n: NetworkRecord): FirewallNetwork {
    const option = (key: string): boolean =>
      n.options[`com.docker.network.bridge.${key}`] !== 'false';
    return {
      bridge: n.bridge as string,
      subnet: n.subnet as string,
      internal: n.internal,
      icc: n.isDefault ? this.deps.icc : option('enable_icc'),
      masquerade: n.isDefault ? this.deps.ipMasq : option('enable_ip_masquerade'),
    };
  }
}

async function save(): Promise<string> {
  const parts = await Promise.all(
    ['filter', 'nat'].map((t) => runTool('iptables-save', ['-t', t]).catch(() => '')),
  );
  return parts.join('\n');
}

async function restore(text: string): Promise<void> {
  await runTool('iptables-restore', ['--noflush', '-w', '5'], { input: text });
}
