// The firewall as iptables-restore text. A daemon owns its chains (named from its tag, so
// that several daemons share a host), jumps to them from the built-in chains, and rewrites
// their whole content as one atomic `iptables-restore --noflush` batch on every change.

import type { PortMapping } from './ports.js';

export interface ChainNames {
  /** filter: forwarding to and from the daemon's bridges. */
  readonly forward: string;
  /** filter: drops between different bridges of the daemon. */
  readonly isolation: string;
  /** nat: published ports (from PREROUTING and OUTPUT for local destinations). */
  readonly dnat: string;
  /** nat: masquerading of the networks' outgoing traffic. */
  readonly postrouting: string;
}

export function chainNames(tag: string): ChainNames {
  const p = tag === '' ? 'BERTH' : `BERTH-${tag}`;
  return {
    forward: `${p}-FWD`,
    isolation: `${p}-ISO`,
    dnat: `${p}-DNAT`,
    postrouting: `${p}-POST`,
  };
}

export interface FirewallNetwork {
  readonly bridge: string;
  readonly subnet: string;
  readonly internal: boolean;
  /** Traffic between containers of this network (--icc). */
  readonly icc: boolean;
  /** Outgoing traffic masqueraded (--ip-masq). */
  readonly masquerade: boolean;
}

export interface FirewallPort {
  readonly bridge: string;
  readonly containerIp: string;
  readonly mapping: PortMapping;
}

/** The jumps from built-in chains, as `table`, `chain` and the rule after `-A chain`. */
export function jumps(n: ChainNames): { table: 'filter' | 'nat'; chain: string; rule: string }[] {
  return [
    { table: 'filter', chain: 'FORWARD', rule: `-j ${n.forward}` },
    { table: 'nat', chain: 'PREROUTING', rule: `-m addrtype --dst-type LOCAL -j ${n.dnat}` },
    { table: 'nat', chain: 'OUTPUT', rule: `-m addrtype --dst-type LOCAL -j ${n.dnat}` },
    { table: 'nat', chain: 'POSTROUTING', rule: `-j ${n.postrouting}` },
  ];
}

const BUILTIN = new Set(['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING']);

/** The rules of `iptables-save` output, per table, that jump from a built-in chain to one of ours. */
function existingJumps(save: string, n: ChainNames): Map<string, string[]> {
  const ours = new Set(Object.values(n));
  const out = new Map<string, string[]>();
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = /^-A (\S+) (.*)-j (\S+)\s*$/.exec(line.trim());
    if (m && BUILTIN.has(m[1] as string) && ours.has(m[3] as string)) {
      const list = out.get(table) ?? [];
      list.push(`-D ${m[1]} ${m[2]}-j ${m[3]}`);
      out.set(table, list);
    }
  }
  return out;
}

/** The chains of ours that `iptables-save` lists, per table. */
function existingChains(save: string, n: ChainNames): Map<string, string[]> {
  const ours = new Set(Object.values(n));
  const out = new Map<string, string[]>();
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = /^:(\S+) /.exec(line);
    if (m && ours.has(m[1] as string)) out.set(table, [...(out.get(table) ?? []), m[1] as string]);
  }
  return out;
}

/**
 * Start-up: stale jumps of an earlier run (a crash) removed, our chains created (or emptied)
 * and jumped to once, at the head of the built-in chains.
 */
export function installText(n: ChainNames, save: string): string {
  const stale = existingJumps(save, n);
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    out.push(`*${table}`);
    const chains = table === 'filter' ? [n.forward, n.isolation] : [n.dnat, n.postrouting];
    for (const c of chains) out.push(`:${c} - [0:0]`);
    out.push(...(stale.get(table) ?? []));
    for (const j of jumps(n).filter((x) => x.table === table)) out.push(`-I ${j.chain} ${j.rule}`);
    if (table === 'filter') out.push(`-A ${n.forward} -j ${n.isolation}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/** Shutdown: our jumps and chains gone, whatever else is there untouched. */
export function removeText(n: ChainNames, save: string): string {
  const stale = existingJumps(save, n);
  const chains = existingChains(save, n);
  const out: string[] = [];
  for (const table of ['filter', 'nat']) {
    const mine = chains.get(table) ?? [];
    const del = stale.get(table) ?? [];
    if (mine.length === 0 && del.length === 0) continue;
    out.push(`*${table}`, ...mine.map((c) => `:${c} - [0:0]`), ...del);
    out.push(...mine.map((c) => `-X ${c}`), 'COMMIT');
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

/** The whole content of our chains for these networks and published ports. */
export function rulesText(
  n: ChainNames,
  networks: readonly FirewallNetwork[],
  ports: readonly FirewallPort[],
): string {
  const filter = [`*filter`, `:${n.forward} - [0:0]`, `:${n.isolation} - [0:0]`];
  filter.push(`-A ${n.forward} -j ${n.isolation}`);
  const nat = [`*nat`, `:${n.dnat} - [0:0]`, `:${n.postrouting} - [0:0]`];
  for (const net of networks) {
    const br = net.bridge;
    const between = `-A ${n.forward} -i ${br} -o ${br} -j ${net.icc ? 'ACCEPT' : 'DROP'}`;
    if (net.internal) {
      filter.push(
        `-A ${n.forward} -i ${br} ! -o ${br} -j DROP`,
        `-A ${n.forward} -o ${br} ! -i ${br} -j DROP`,
        between,
      );
      continue;
    }
    filter.push(`-A ${n.forward} -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    for (const p of ports.filter((x) => x.bridge === br)) {
      const m = p.mapping;
      filter.push(
        `-A ${n.forward} -d ${p.containerIp}/32 ! -i ${br} -o ${br} -p ${m.proto} -m ${m.proto} --dport ${m.containerPort} -j ACCEPT`,
      );
    }
    filter.push(`-A ${n.forward} -i ${br} ! -o ${br} -j ACCEPT`, between);
    if (net.masquerade) nat.push(`-A ${n.postrouting} -s ${net.subnet} ! -o ${br} -j MASQUERADE`);
    // Published ports reached through 127.0.0.1: the host's own address as the source.
    nat.push(`-A ${n.postrouting} -o ${br} -m addrtype --src-type LOCAL -j MASQUERADE`);
  }
  for (const a of networks)
    for (const b of networks)
      if (a !== b) filter.push(`-A ${n.isolation} -i ${a.bridge} -o ${b.bridge} -j DROP`);
  for (const p of ports) {
    const m = p.mapping;
    const dest = m.hostIp === '0.0.0.0' ? '' : `-d ${m.hostIp}/32 `;
    nat.push(
      `-A ${n.dnat} ${dest}! -i ${p.bridge} -p ${m.proto} -m ${m.proto} --dport ${m.hostPort} -j DNAT --to-destination ${p.containerIp}:${m.containerPort}`,
    );
  }
  return [...filter, 'COMMIT', ...nat, 'COMMIT'].join('\n') + '\n';
}
