// Networks: the default bridge made at start-up, user bridge networks (create, rm, connect,
// disconnect), and each container's part in a start (its namespace, veths, addresses,
// published ports, names). Addresses live in the state store; the firewall is rewritten
// from state in one batch whenever ports or networks change.

import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord, CreateRequest } from '../../core/containers/container.js';
import {
  BerthError,
  conflict,
  hasErrno,
  invalidArgument,
  isBerthError,
  notFound,
} from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import { checkFilterKeys, matchesLabels, type FilterArgs } from '../../core/filters.js';
import { extraHostLine, linkEnv, linkHostsLine, resolvConf } from '../../core/network/etc-files.js';
import {
  chainNames,
  installText,
  removeText,
  rulesText,
  type ChainNames,
  type FirewallPort,
} from '../../core/network/firewall.js';
import {
  checkStatic,
  chooseSubnet,
  makePool,
  nextFree,
  type Pool,
} from '../../core/network/ipam.js';
import {
  formatIp,
  formatSubnet,
  macOf,
  overlaps,
  parseCidr,
  parseIp,
  parseSubnet,
  type Subnet,
} from '../../core/network/ipv4.js';
import type {
  Attachment,
  ContainerNetworkView,
  EndpointConfig,
  EndpointView,
  NetworkRecord,
} from '../../core/network/network.js';
import { checkPortBindings, portRequests, type PortMapping } from '../../core/network/ports.js';
import type { NetworkRecords } from '../../core/state/network-records.js';
import type { Logger } from '../../lib/logger.js';
import type { NetworkAttachment } from '../containers/start-parts.js';
import {
  hostsFile,
  isolatedNetworking,
  type ContainerNetworking,
} from '../containers/start-parts.js';
import {
  addInterface,
  addresses,
  createSandbox,
  deleteLink,
  ensureBridge,
  hostRoutes,
  linkExists,
  removeSandbox,
  setIpForward,
} from './bridge-driver.js';
import { DnsServers } from './dns-server.js';
import { runTool } from './host-tools.js';
import { PortReservations } from './port-reservations.js';

/** The daemon settings networks use (DaemonConfig's bridge flags). */
export interface NetworkSettings {
  /** `--bridge`: an existing bridge to use instead of making one. */
  readonly bridge: string;
  readonly bip: string;
  readonly fixedCidr: string;
  readonly mtu: number;
  readonly icc: boolean;
  readonly ipMasq: boolean;
  readonly iptables: boolean;
  readonly ipForward: boolean;
  readonly dns: readonly string[];
  readonly dnsSearch: readonly string[];
  readonly dnsOptions: readonly string[];
}

export interface NetworkServiceDeps {
  readonly records: NetworkRecords;
  /** Late-bound: containers and networks refer to each other. */
  readonly containers: () => {
    resolve(ref: string): ContainerRecord;
    all(): ContainerRecord[];
  };
  readonly events: EventPublisher;
  readonly logger: Logger;
  readonly settings: NetworkSettings;
  readonly execRoot: string;
  readonly containerRoot: string;
  readonly hostResolvConf: string;
  /** Names this daemon's devices and chains apart from other daemons' ('' for the default). */
  readonly tag: string;
}

export interface NetworkCreateRequest {
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly ipam: readonly { subnet?: string; gateway?: string; ipRange?: string }[];
}

export interface NetworkView {
  readonly network: NetworkRecord;
  readonly containers: readonly {
    id: string;
    name: string;
    endpointId: string;
    mac: string;
    ip: string;
    prefixLen: number;
  }[];
}

const PREDEFINED = ['bridge', 'host', 'none'];
const NETWORK_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];
const PRUNE_FILTERS = ['label', 'label!', 'until'];
const VALID_NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const LIVE = new Set(['running', 'paused', 'restarting']);

function endpointIdOf(containerId: string, networkId: string): string {
  return createHash('sha256').update(`${containerId}/${networkId}`).digest('hex');
}

/** The host end of a container's veth on a network: stable, so a restarted daemon finds it. */
function hostVethOf(containerId: string, networkId: string): string {
  return `veth${endpointIdOf(containerId, networkId).slice(0, 10)}`;
}

export class NetworkService implements ContainerNetworking {
  readonly #names: ChainNames;
  readonly #ports = new PortReservations();
  readonly #dns: DnsServers;
  readonly #isolated: ContainerNetworking;
  /** Firewall rewrites run one at a time, each from the state at its turn. */
  #firewallQueue: Promise<void> = Promise.resolve();
  #createQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: NetworkServiceDeps) {
    this.#names = chainNames(deps.tag);
    this.#isolated = isolatedNetworking(deps.hostResolvConf);
    const upstream = deps.hostResolvConf
      .split('\n')
      .map((l) => /^\s*nameserver\s+(127\.\S+)/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined);
    this.#dns = new DnsServers({
      lookup: (networkId, name) => this.#lookup(networkId, name),
      upstream,
      logger: deps.logger,
    });
  }

  // ---- start-up and shutdown ----

  /** Makes the default networks, the bridges of all networks, the firewall chains. */
  async init(): Promise<void> {
    const { settings } = this.deps;
    const existing = this.deps.records.networks();
    for (const [name, driver] of [
      ['host', 'host'],
      ['none', 'null'],
    ] as const) {
      if (!existing.some((n) => n.name === name))
        this.deps.records.insertNetwork({
          id: randomBytes(32).toString('hex'),
          name,
          created: new Date().toISOString(),
          driver,
          internal: false,
          attachable: false,
          labels: {},
          options: {},
        });
    }
    await this.#initDefaultBridge();
    if (settings.ipForward) await setIpForward();
    if (settings.iptables) {
      const save = await this.#iptablesSave();
      await this.#restore(installText(this.#names, save));
    }
    for (const n of this.deps.records.networks()) {
      if (n.driver !== 'bridge' || n.isDefault) continue;
      await ensureBridge({
        name: n.bridge as string,
        address: `${n.gateway}/${parseSubnet(n.subnet as string).bits}`,
        mtu: settings.mtu,
        create: true,
      });
      await this.#dns.listen(n.id, n.gateway as string);
    }
    await this.#releaseStale();
    const live = this.deps.records.attachments().filter((a) => a.ports && a.ports.length > 0);
    for (const a of live) await this.#ports.adopt(a.ports ?? []);
    await this.#applyFirewall();
  }

  /**
   * Addresses and namespaces of containers that are not running, left by a daemon that died
   * in the middle of a start or stop (the running ones, and those that died while the daemon
   * was away, are the lifecycle's reconcile's to follow or detach).
   */
  async #releaseStale(): Promise<void> {
    const containers = new Map(
      this.deps
        .containers()
        .all()
        .map((c) => [c.id, c]),
    );
    const live = (id: string): boolean => LIVE.has(containers.get(id)?.state.status ?? 'dead');
    for (const a of this.deps.records.attachments())
      if (a.ip && !live(a.containerId))
        this.deps.records.setAddress(a.containerId, a.networkId, undefined);
    const dir = join(this.deps.execRoot, 'netns');
    const files = await readdir(dir).catch((err: unknown) =>
      hasErrno(err, 'ENOENT') ? [] : Promise.reject(err),
    );
    for (const id of files) if (!live(id)) await removeSandbox(join(dir, id));
  }

  async #initDefaultBridge(): Promise<void> {
    const { settings, tag } = this.deps;
    const old = this.deps.records.networks().find((n) => n.name === 'bridge');
    if (settings.bridge === 'none') {
      // No default bridge network at all (Docker's `--bridge=none`).
      if (old) this.deps.records.deleteNetwork(old.id);
      return;
    }
    const device = settings.bridge || (tag === '' ? 'berth0' : `berth-${tag}`);
    const mtu = settings.mtu;
    const create = settings.bridge === '';
    let address: { ip: number; bits: number } | undefined;
    if (settings.bip) address = parseCidr(settings.bip);
    else if (!create) address = await this.#deviceAddress(device);
    const others = async (): Promise<Subnet[]> => [
      ...(await hostRoutes()).filter((r) => r.dev !== device).map((r) => r.subnet),
      ...this.deps.records
        .networks()
        .filter((n) => n.subnet && !n.isDefault)
        .map((n) => parseSubnet(n.subnet as string)),
    ];
    if (!address && old?.subnet && old.gateway) {
      const s = parseSubnet(old.subnet);
      if (!(await others()).some((o) => overlaps(o, s)))
        address = { ip: parseIp(old.gateway) as number, bits: s.bits };
    }
    if (!address) address = await this.#deviceAddress(device);
    // Several daemons may choose at once: after taking a subnet, make sure nobody else did.
    const offset = tag === '' ? 0 : Number.parseInt(tag.slice(0, 4), 16);
    const refused: Subnet[] = [];
    for (let attempt = 0; ; attempt++) {
      let chosen = address;
      if (!chosen) {
        const s = chooseSubnet([...(await others()), ...refused], offset + attempt);
        if (!s) throw new Error('no free address range for the default bridge network');
        chosen = { ip: s.base + 1, bits: s.bits };
      }
      const subnet = {
        base: (chosen.ip & (0xffffffff << (32 - chosen.bits))) >>> 0,
        bits: chosen.bits,
      };
      await ensureBridge({
        name: device,
        address: `${formatIp(chosen.ip)}/${chosen.bits}`,
        mtu,
        create,
      });
      const clash = (await others()).some((o) => overlaps(o, subnet));
      if (!clash || address || attempt >= 8) {
        const record: NetworkRecord = {
          id: old?.id ?? randomBytes(32).toString('hex'),
          name: 'bridge',
          created: old?.created ?? new Date().toISOString(),
          driver: 'bridge',
          bridge: device,
          subnet: formatSubnet(subnet),
          gateway: formatIp(chosen.ip),
          ...(settings.fixedCidr ? { ipRange: settings.fixedCidr } : {}),
          internal: false,
          attachable: false,
          labels: {},
          options: {
            'com.docker.network.bridge.default_bridge': 'true',
            'com.docker.network.bridge.enable_icc': String(settings.icc),
            'com.docker.network.bridge.enable_ip_masquerade': String(settings.ipMasq),
            'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
            'com.docker.network.bridge.name': device,
            'com.docker.network.driver.mtu': String(mtu),
          },
          isDefault: true,
        };
        if (old) this.deps.records.updateNetwork(record);
        else this.deps.records.insertNetwork(record);
        return;
      }
      await runTool('ip', ['addr', 'del', `${formatIp(chosen.ip)}/${chosen.bits}`, 'dev', device]);
      refused.push(subnet);
      await new Promise((r) => setTimeout(r, Math.random() * 30));
    }
  }

  async #deviceAddress(device: string): Promise<{ ip: number; bits: number } | undefined> {
    if (!(await linkExists(device))) return undefined;
    const [first] = await addresses(device);
    return first ? parseCidr(first) : undefined;
  }

  /**
   * At shutdown: with no container left running, the bridges, chains and rules go; otherwise
   * they stay for the live containers and the next start takes them over.
   */
  async shutdown(): Promise<void> {
    this.#dns.closeAll();
    this.#ports.releaseAll();
    await this.#firewallQueue;
    const live = this.deps
      .containers()
      .all()
      .some((c) => LIVE.has(c.state.status));
    if (live) return;
    if (this.deps.settings.iptables) {
      const text = removeText(this.#names, await this.#iptablesSave());
      if (text) await this.#restore(text);
    }
    for (const n of this.deps.records.networks()) {
      if (n.driver !== 'bridge' || !n.bridge) continue;
      if (n.isDefault && this.deps.settings.bridge !== '') continue;
      await deleteLink(n.bridge);
    }
  }

  // ---- firewall ----

  async #iptablesSave(): Promise<string> {
    const parts = await Promise.all(
      ['filter', 'nat'].map((t) => runTool('iptables-save', ['-t', t]).catch(() => '')),
    );
    return parts.join('\n');
  }

  async #restore(text: string): Promise<void> {
    await runTool('iptables-restore', ['--noflush', '-w', '5'], { input: text });
  }

  /** Rewrites our chains from the networks and published ports in the state store. */
  #applyFirewall(): Promise<void> {
    if (!this.deps.settings.iptables) return Promise.resolve();
    const run = async (): Promise<void> => {
      const networks = this.deps.records.networks().filter((n) => n.driver === 'bridge');
      const byId = new Map(networks.map((n) => [n.id, n]));
      const ports: FirewallPort[] = [];
      for (const a of this.deps.records.attachments()) {
        const n = byId.get(a.networkId);
        if (!n?.bridge || !a.ip) continue;
        for (const m of a.ports ?? [])
          ports.push({ bridge: n.bridge, containerIp: a.ip, mapping: m });
      }
      const text = rulesText(
        this.#names,
        networks.map((n) => ({
          bridge: n.bridge as string,
          subnet: n.subnet as string,
          internal: n.internal,
          icc: n.isDefault
            ? this.deps.settings.icc
            : n.options['com.docker.network.bridge.enable_icc'] !== 'false',
          masquerade: n.isDefault
            ? this.deps.settings.ipMasq
            : n.options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false',
        })),
        ports,
      );
      await this.#restore(text);
    };
    const next = this.#firewallQueue.then(run);
    this.#firewallQueue = next.catch(() => undefined);
    return next;
  }

  // ---- lookups ----

  /** By full ID, name, or unique ID prefix; a 404 `network X not found` otherwise. */
  resolve(ref: string): NetworkRecord {
    const all = this.deps.records.networks();
    const found =
      all.find((n) => n.id === ref) ??
      all.find((n) => n.name === ref) ??
      (() => {
        const byPrefix = all.filter((n) => ref !== '' && n.id.startsWith(ref));
        return byPrefix.length === 1 ? byPrefix[0] : undefined;
      })();
    if (!found) throw notFound(`network ${ref} not found`);
    return found;
  }

  #attachmentsOf(containerId: string): Attachment[] {
    return this.deps.records.attachments().filter((a) => a.containerId === containerId);
  }

  #lookup(networkId: string, name: string): string[] {
    const containers = this.deps.containers();
    const out: string[] = [];
    for (const a of this.deps.records.attachments()) {
      if (a.networkId !== networkId || !a.ip) continue;
      let c: ContainerRecord;
      try {
        c = containers.resolve(a.containerId);
      } catch (err) {
        if (isBerthError(err, 'not-found')) continue;
        throw err;
      }
      const names = [c.name, c.id.slice(0, 12), ...(a.config.aliases ?? [])];
      if (names.some((n) => n.toLowerCase() === name)) out.push(a.ip);
    }
    return out;
  }

  /** The networks a container's mode names: its primary network (undefined for host, none, container:). */
  #primaryName(c: Pick<ContainerRecord, 'host'>): string | undefined {
    const mode = c.host.networkMode;
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return undefined;
    // `--bridge none`: no default network, so the default is no network.
    if (mode === 'default') return this.deps.settings.bridge === 'none' ? undefined : 'bridge';
    return mode;
  }

  // ---- create / remove of containers ----

  /** Create-time checks: the network exists, ports and static addresses are well formed. */
  checkCreate(r: CreateRequest): void {
    const mode = r.host.networkMode;
    const h = r.host;
    if (mode.startsWith('container:')) {
      const target = mode.slice('container:'.length);
      if (target === '')
        throw invalidArgument('invalid container network mode: container: with no name');
      // Docker's checks: what belongs to the other container's network cannot be set here.
      if (r.config.Hostname)
        throw invalidArgument('conflicting options: hostname and the network mode');
      if (h.dns?.length) throw invalidArgument('conflicting options: dns and the network mode');
      if (h.extraHosts?.length)
        throw invalidArgument(
          'conflicting options: custom host-to-IP mapping and the network mode',
        );
      if (Object.keys(h.portBindings ?? {}).length > 0 || h.publishAllPorts)
        throw invalidArgument(
          'conflicting options: port publishing and the container type network mode',
        );
      if (h.links?.length)
        throw invalidArgument(
          "conflicting options: container type network can't be used with links. This would result in undefined behavior",
        );
      this.deps.containers().resolve(target);
    } else if (mode === 'host' && h.links?.length) {
      throw invalidArgument(
        "conflicting options: host type networking can't be used with links. This would result in undefined behavior",
      );
    } else if (this.#primaryName(r) !== undefined) {
      const n = this.resolve(this.#primaryName(r) as string);
      if (n.driver !== 'bridge') throw notFound(`network ${mode} not found`);
    }
    if (r.host.portBindings) checkPortBindings(r.host.portBindings);
    for (const [name, e] of Object.entries(r.host.endpoints ?? {})) {
      if (e.ipv4Address) {
        if (parseIp(e.ipv4Address) === undefined)
          throw invalidArgument(`invalid IPv4 address: ${e.ipv4Address}`);
        const n = this.resolve(name === 'default' ? 'bridge' : name);
        if (n.isDefault)
          throw invalidArgument(
            'user specified IP address is supported on user defined networks only',
          );
      }
    }
    for (const l of r.host.links ?? []) {
      const [target = ''] = l.split(':');
      try {
        this.deps.containers().resolve(target);
      } catch (err) {
        if (isBerthError(err, 'not-found'))
          throw notFound(`could not get container for ${target}: No such container: ${target}`);
        throw err;
      }
    }
  }

  /** Records the new container's membership of its primary network. */
  added(c: ContainerRecord): void {
    const primary = this.#primaryName(c);
    if (!primary) return;
    const n = this.resolve(primary);
    const endpoints = c.host.endpoints ?? {};
    const cfg = endpoints[primary] ?? endpoints[n.name] ?? endpoints['default'] ?? {};
    this.deps.records.putAttachment(c.id, n.id, cfg);
  }

  // ---- ContainerNetworking ----

  async attach(c: ContainerRecord): Promise<NetworkAttachment> {
    const mode = c.host.networkMode;
    if (mode === 'host') return this.#isolated.attach(c);
    if (mode.startsWith('container:'))
      return this.#joinContainer(c, mode.slice('container:'.length));
    const primaryName = this.#primaryName(c);
    if (primaryName === undefined) return this.#isolated.attach(c);
    const primary = this.resolve(primaryName);
    if (!this.#attachmentsOf(c.id).some((a) => a.networkId === primary.id))
      this.deps.records.putAttachment(c.id, primary.id, {});
    const attachments = this.#attachmentsOf(c.id).sort((a, b) =>
      a.networkId === primary.id ? -1 : b.networkId === primary.id ? 1 : 0,
    );
    const hostname = c.config.Hostname || c.id.slice(0, 12);
    const nsPath = this.#nsPath(c.id);
    const allocated: { a: Attachment; n: NetworkRecord; ip: number }[] = [];
    let ports: PortMapping[] = [];
    try {
      for (const a of attachments) {
        const n = this.deps.records.networks().find((x) => x.id === a.networkId);
        if (!n?.subnet) continue;
        const ip = this.#allocate(c.id, n, a.config.ipv4Address);
        allocated.push({ a, n, ip });
      }
      ports = await this.#ports.reserve(
        portRequests(
          c.host.portBindings ?? {},
          Object.keys(c.config.ExposedPorts ?? {}),
          c.host.publishAllPorts === true,
        ),
      );
      const first = allocated[0];
      if (first)
        this.deps.records.setAddress(c.id, first.n.id, {
          ip: formatIp(first.ip),
          mac: macOf(first.ip),
          ports,
        });
      const links = this.#links(c, primary);
      const sandboxStart = performance.now();
      await createSandbox({
        nsPath,
        interfaces: allocated.map(({ n, ip }, i) => ({
          bridge: n.bridge as string,
          hostVeth: hostVethOf(c.id, n.id),
          name: `eth${i}`,
          cidr: `${formatIp(ip)}/${parseSubnet(n.subnet as string).bits}`,
          mac: macOf(ip),
          mtu: this.deps.settings.mtu,
        })),
        ...(first && !first.n.internal ? { gateway: first.n.gateway } : {}),
      });
      const sandboxMs = performance.now() - sandboxStart;
      if (ports.length > 0) await this.#applyFirewall();
      this.deps.logger.debug('network attached', {
        id: c.id,
        sandboxMs: Math.round(sandboxMs),
        ports: ports.length,
      });
      for (const { n } of allocated) this.#event('connect', n, c.id);
      const ownIp = first ? formatIp(first.ip) : '127.0.0.1';
      const domain = c.config.Domainname ? `${hostname}.${c.config.Domainname} ` : '';
      const gateway = first?.n.gateway ?? '';
      return {
        namespace: { mode: 'path', path: nsPath },
        uts: 'new',
        hostname,
        hosts: hostsFile(
          [`${ownIp}\t${domain}${hostname}`],
          [
            ...(c.host.extraHosts ?? [])
              .map((e) => extraHostLine(e, gateway))
              .filter((l): l is string => l !== undefined),
            ...links.map(linkHostsLine),
          ],
        ),
        resolvConf: resolvConf(
          this.deps.hostResolvConf,
          {
            nameservers: c.host.dns?.length ? c.host.dns : this.deps.settings.dns,
            search: c.host.dnsSearch?.length ? c.host.dnsSearch : this.deps.settings.dnsSearch,
            options: c.host.dnsOptions?.length ? c.host.dnsOptions : this.deps.settings.dnsOptions,
          },
          primary.isDefault ? undefined : primary.gateway,
        ),
        env: links.flatMap((l) => linkEnv(c.name, l)),
        sysctls: {
          'net.ipv4.ping_group_range': '0 2147483647',
          'net.ipv4.ip_unprivileged_port_start': '0',
        },
      };
    } catch (err) {
      this.#ports.release(ports);
      for (const { n } of allocated) this.deps.records.setAddress(c.id, n.id, undefined);
      await removeSandbox(nsPath).catch(() => undefined);
      if (ports.length > 0) await this.#applyFirewall().catch(() => undefined);
      throw err;
    }
  }

  async detach(c: ContainerRecord): Promise<void> {
    const attached = this.#attachmentsOf(c.id).filter((a) => a.ip);
    const networks = this.deps.records.networks();
    const hadPorts = attached.some((a) => (a.ports ?? []).length > 0);
    for (const a of attached) {
      this.#ports.release(a.ports ?? []);
      this.deps.records.setAddress(c.id, a.networkId, undefined);
    }
    const start = performance.now();
    await removeSandbox(this.#nsPath(c.id));
    if (hadPorts) await this.#applyFirewall();
    this.deps.logger.debug('network detached', {
      id: c.id,
      ms: Math.round(performance.now() - start),
    });
    for (const a of attached) {
      const n = networks.find((x) => x.id === a.networkId);
      if (n) this.#event('disconnect', n, c.id);
    }
  }

  #nsPath(id: string): string {
    return join(this.deps.execRoot, 'netns', id);
  }

  /** An address for the container on `n`: the static one asked for, or the lowest free. */
  #allocate(containerId: string, n: NetworkRecord, wanted?: string): number {
    const pool = this.#poolOf(n);
    const used = new Set(
      this.deps.records
        .attachments()
        .filter((a) => a.networkId === n.id && a.ip && a.containerId !== containerId)
        .map((a) => parseIp(a.ip as string) as number),
    );
    const ip = wanted ? checkStatic(pool, wanted, used) : nextFree(pool, used);
    this.deps.records.setAddress(containerId, n.id, {
      ip: formatIp(ip),
      mac: macOf(ip),
      ports: [],
    });
    return ip;
  }

  #poolOf(n: NetworkRecord): Pool {
    return makePool({
      subnet: n.subnet as string,
      ...(n.gateway ? { gateway: n.gateway } : {}),
      ...(n.ipRange ? { ipRange: n.ipRange } : {}),
    });
  }

  /** `--link name:alias` targets: running, with an address on the default bridge. */
  #links(c: ContainerRecord, primary: NetworkRecord): ReturnType<typeof this.linkTargets> {
    if (!primary.isDefault) return [];
    return this.linkTargets(c, primary);
  }

  linkTargets(c: ContainerRecord, net: NetworkRecord) {
    const containers = this.deps.containers();
    return (c.host.links ?? []).map((l) => {
      const [ref = '', aliasGiven] = l.split(':');
      const t = containers.resolve(ref);
      const alias = (aliasGiven ?? t.name).replace(/^.*\//, '');
      const ip = this.#attachmentsOf(t.id).find((a) => a.networkId === net.id)?.ip;
      if (t.state.status !== 'running' || !ip)
        throw conflict(`Cannot link to a non running container: /${t.name} AS /${c.name}/${alias}`);
      return {
        alias,
        name: t.name,
        id: t.id,
        ip,
        exposed: Object.keys(t.config.ExposedPorts ?? {}),
        env: t.config.Env ?? [],
      };
    });
  }

  /** `--network container:<ref>`: the other container's namespace and /etc files. */
  async #joinContainer(c: ContainerRecord, ref: string): Promise<NetworkAttachment> {
    const t = this.deps.containers().resolve(ref);
    if (t.state.status !== 'running' || t.state.pid <= 0)
      throw conflict(`cannot join network of a non running container: ${t.id}`);
    const dir = join(this.deps.containerRoot, t.id);
    const read = (f: string): Promise<string> => readFile(join(dir, f), 'utf8');
    return {
      namespace: { mode: 'path', path: `/proc/${t.state.pid}/ns/net` },
      uts: 'new',
      hostname: t.config.Hostname || t.id.slice(0, 12),
      hosts: await read('hosts'),
      resolvConf: await read('resolv.conf'),
    };
  }

  #event(action: string, n: NetworkRecord, containerId?: string): void {
    this.deps.events.publish({
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

  // ---- the network API ----

  list(filters: FilterArgs): NetworkRecord[] {
    checkFilterKeys(filters, NETWORK_FILTERS);
    const ids = filters.get('id') ?? [];
    const names = filters.get('name') ?? [];
    const drivers = filters.get('driver') ?? [];
    const types = filters.get('type') ?? [];
    for (const t of types)
      if (t !== 'custom' && t !== 'builtin') throw invalidArgument(`invalid filter: 'type'='${t}'`);
    const dangling = filters.get('dangling') ?? [];
    // As Docker: only running containers (active endpoints) keep a network in use.
    const used = new Set(
      this.deps.records
        .attachments()
        .filter((a) => a.ip)
        .map((a) => a.networkId),
    );
    return this.deps.records
      .networks()
      .filter((n) => ids.length === 0 || ids.some((i) => n.id.startsWith(i)))
      .filter((n) => names.length === 0 || names.some((x) => n.name.includes(x)))
      .filter((n) => drivers.length === 0 || drivers.includes(n.driver))
      .filter(
        (n) =>
          types.length === 0 || types.includes(PREDEFINED.includes(n.name) ? 'builtin' : 'custom'),
      )
      .filter(
        (n) =>
          dangling.length === 0 ||
          dangling.some((d) =>
            ['true', '1'].includes(d)
              ? !PREDEFINED.includes(n.name) && !used.has(n.id)
              : PREDEFINED.includes(n.name) || used.has(n.id),
          ),
      )
      .filter((n) => matchesLabels(filters.get('label'), n.labels))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  inspect(ref: string): NetworkView {
    const n = this.resolve(ref);
    const containers = this.deps.containers();
    const bits = n.subnet ? parseSubnet(n.subnet).bits : 0;
    const list: NetworkView['containers'][number][] = [];
    for (const a of this.deps.records.attachments()) {
      if (a.networkId !== n.id || !a.ip) continue;
      let c: ContainerRecord;
      try {
        c = containers.resolve(a.containerId);
      } catch (err) {
        if (isBerthError(err, 'not-found')) continue;
        throw err;
      }
      list.push({
        id: c.id,
        name: c.name,
        endpointId: endpointIdOf(c.id, n.id),
        mac: a.mac ?? '',
        ip: a.ip,
        prefixLen: bits,
      });
    }
    return { network: n, containers: list };
  }

  /** Creates one network at a time: each sees the subnets and names of the one before. */
  create(r: NetworkCreateRequest): Promise<{ id: string; warning: string }> {
    const next = this.#createQueue.then(() => this.#create(r));
    this.#createQueue = next.catch(() => undefined);
    return next;
  }

  async #create(r: NetworkCreateRequest): Promise<{ id: string; warning: string }> {
    if (r.name === '') throw invalidArgument('network name cannot be empty');
    if (!VALID_NETWORK_NAME.test(r.name))
      throw invalidArgument(
        `invalid network name "${r.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      );
    const driver = r.driver || 'bridge';
    if (driver !== 'bridge') {
      if (driver === 'host' || driver === 'null')
        throw new BerthError('forbidden', `Only one instance of "${driver}" network is allowed`);
      throw notFound(`plugin "${driver}" not found`);
    }
    if (PREDEFINED.includes(r.name))
      throw new BerthError('forbidden', `${r.name} is a pre-defined network and cannot be created`);
    const all = this.deps.records.networks();
    if (all.some((n) => n.name === r.name))
      throw conflict(`network with name ${r.name} already exists`);
    if (r.ipam.length > 1)
      throw invalidArgument('berth supports one IPv4 address pool per network');
    const wanted = r.ipam[0] ?? {};
    const taken = all.filter((n) => n.subnet).map((n) => parseSubnet(n.subnet as string));
    const id = randomBytes(32).toString('hex');
    const bridge = r.options['com.docker.network.bridge.name'] || `br-${id.slice(0, 12)}`;
    if (bridge.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(bridge))
      throw invalidArgument(`invalid bridge name ${bridge}`);
    if (all.some((n) => n.bridge === bridge) || (await linkExists(bridge)))
      throw conflict(`bridge device ${bridge} is already in use`);
    const mtu = Number(r.options['com.docker.network.driver.mtu']) || this.deps.settings.mtu;
    let subnet: string;
    if (wanted.subnet) {
      const s = parseSubnet(wanted.subnet);
      if (taken.some((t) => overlaps(t, s)))
        throw new BerthError('forbidden', 'Pool overlaps with other one on this address space');
      subnet = formatSubnet(s);
    } else {
      if (wanted.gateway || wanted.ipRange)
        throw invalidArgument('ip-range and gateway need a subnet (--subnet)');
      subnet = await this.#claimSubnet(bridge, taken, mtu);
    }
    const pool = makePool({
      subnet,
      ...(wanted.gateway ? { gateway: wanted.gateway } : {}),
      ...(wanted.ipRange ? { ipRange: wanted.ipRange } : {}),
    });
    const record: NetworkRecord = {
      id,
      name: r.name,
      created: new Date().toISOString(),
      driver: 'bridge',
      bridge,
      subnet,
      gateway: formatIp(pool.gateway),
      ...(wanted.ipRange ? { ipRange: formatSubnet(pool.range) } : {}),
      internal: r.internal,
      attachable: r.attachable,
      labels: { ...r.labels },
      options: { ...r.options },
    };
    await ensureBridge({
      name: bridge,
      address: `${record.gateway}/${pool.subnet.bits}`,
      mtu,
      create: true,
    });
    try {
      this.deps.records.insertNetwork(record);
      await this.#dns.listen(id, record.gateway as string);
      await this.#applyFirewall();
    } catch (err) {
      this.#dns.close(id);
      this.deps.records.deleteNetwork(id);
      await deleteLink(bridge).catch(() => undefined);
      await this.#applyFirewall().catch(() => undefined);
      throw err;
    }
    this.#event('create', record);
    return { id, warning: '' };
  }

  /**
   * The first default pool free on the host, taken by giving `bridge` its gateway address.
   * Another daemon may have chosen the same pool at the same moment: when a route of another
   * device overlaps once ours is there, the pool is given up and, after a random pause (so
   * that the two do not meet again), the next one tried.
   */
  async #claimSubnet(bridge: string, taken: readonly Subnet[], mtu: number): Promise<string> {
    const refused: Subnet[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const routes = (await hostRoutes()).filter((x) => x.dev !== bridge).map((x) => x.subnet);
      const s = chooseSubnet([...taken, ...routes, ...refused]);
      if (!s) break;
      const address = `${formatIp(s.base + 1)}/${s.bits}`;
      await ensureBridge({ name: bridge, address, mtu, create: true });
      const after = await hostRoutes();
      if (!after.some((x) => x.dev !== bridge && overlaps(x.subnet, s))) return formatSubnet(s);
      refused.push(s);
      await runTool('ip', ['addr', 'del', address, 'dev', bridge]);
      await new Promise((r) => setTimeout(r, Math.random() * 30));
    }
    await deleteLink(bridge).catch(() => undefined);
    throw new BerthError(
      'forbidden',
      'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
    );
  }

  async remove(ref: string): Promise<void> {
    const n = this.resolve(ref);
    if (PREDEFINED.includes(n.name))
      throw new BerthError('forbidden', `${n.name} is a pre-defined network and cannot be removed`);
    const active = this.deps.records.attachments().filter((a) => a.networkId === n.id && a.ip);
    if (active.length > 0)
      throw new BerthError(
        'forbidden',
        `error while removing network: network ${n.name} id ${n.id} has active endpoints`,
      );
    this.#dns.close(n.id);
    this.deps.records.deleteNetwork(n.id);
    await this.#applyFirewall();
    if (n.bridge) await deleteLink(n.bridge);
    this.#event('destroy', n);
  }

  async prune(filters: FilterArgs): Promise<string[]> {
    checkFilterKeys(filters, PRUNE_FILTERS);
    // As Docker: only running containers (active endpoints) keep a network in use.
    const used = new Set(
      this.deps.records
        .attachments()
        .filter((a) => a.ip)
        .map((a) => a.networkId),
    );
    const until = filters.get('until')?.[0];
    const cutoff = until ? untilCutoff(until) : undefined;
    const removed: string[] = [];
    for (const n of this.deps.records.networks()) {
      if (PREDEFINED.includes(n.name) || used.has(n.id)) continue;
      if (!matchesLabels(filters.get('label'), n.labels)) continue;
      const not = filters.get('label!') ?? [];
      if (not.length > 0 && not.some((l) => matchesLabels([l], n.labels))) continue;
      if (cutoff !== undefined && Date.parse(n.created) >= cutoff) continue;
      await this.remove(n.id);
      removed.push(n.name);
    }
    return removed;
  }

  async connect(ref: string, containerRef: string, config: EndpointConfig): Promise<void> {
    const n = this.resolve(ref);
    const c = this.deps.containers().resolve(containerRef);
    if (n.driver !== 'bridge' || !this.#primaryName(c)) {
      if (n.driver === 'host' || c.host.networkMode === 'host')
        throw new BerthError(
          'forbidden',
          'container cannot be disconnected from host network or connected to host network',
        );
      throw new BerthError(
        'forbidden',
        'container cannot be connected to multiple networks with one of the networks in private (none) mode',
      );
    }
    const current = this.#attachmentsOf(c.id);
    if (current.some((a) => a.networkId === n.id))
      throw new BerthError(
        'forbidden',
        `endpoint with name ${c.name} already exists in network ${n.name}`,
      );
    if (config.ipv4Address && n.isDefault)
      throw invalidArgument('user specified IP address is supported on user defined networks only');
    const live = LIVE.has(c.state.status) && current.some((a) => a.ip);
    this.deps.records.putAttachment(c.id, n.id, config);
    if (!live) {
      if (config.ipv4Address) {
        const pool = this.#poolOf(n);
        try {
          checkStatic(pool, config.ipv4Address, new Set());
        } catch (err) {
          this.deps.records.deleteAttachment(c.id, n.id);
          throw err;
        }
      }
      return;
    }
    const hostVeth = hostVethOf(c.id, n.id);
    try {
      const ip = this.#allocate(c.id, n, config.ipv4Address);
      await addInterface(this.#nsPath(c.id), {
        bridge: n.bridge as string,
        hostVeth,
        name: `eth${current.filter((a) => a.ip).length}`,
        cidr: `${formatIp(ip)}/${parseSubnet(n.subnet as string).bits}`,
        mac: macOf(ip),
        mtu: this.deps.settings.mtu,
      });
    } catch (err) {
      this.deps.records.deleteAttachment(c.id, n.id);
      await deleteLink(hostVeth).catch(() => undefined);
      throw err;
    }
    this.#event('connect', n, c.id);
  }

  async disconnect(ref: string, containerRef: string, force: boolean): Promise<void> {
    const n = this.resolve(ref);
    let c: ContainerRecord;
    try {
      c = this.deps.containers().resolve(containerRef);
    } catch (err) {
      if (!force || !isBerthError(err, 'not-found')) throw err;
      return;
    }
    if (n.driver === 'host')
      throw new BerthError(
        'forbidden',
        'container cannot be disconnected from host network or connected to host network',
      );
    const a = this.#attachmentsOf(c.id).find((x) => x.networkId === n.id);
    if (!a)
      throw new BerthError('forbidden', `container ${c.id} is not connected to network ${n.name}`);
    if (a.ip) {
      await deleteLink(hostVethOf(c.id, n.id));
      this.#ports.release(a.ports ?? []);
    }
    this.deps.records.deleteAttachment(c.id, n.id);
    if ((a.ports ?? []).length > 0) await this.#applyFirewall();
    if (a.ip) this.#event('disconnect', n, c.id);
  }

  /** Whether `c` is on the network `ref` names (its name, full ID or ID prefix). */
  isOn(c: ContainerRecord, ref: string): boolean {
    return this.containerView(c).endpoints.some(
      (e) => e.network.name === ref || e.network.id.startsWith(ref),
    );
  }

  /** What inspect and ps show of a container's networks. */
  containerView(c: ContainerRecord): ContainerNetworkView {
    const networks = this.deps.records.networks();
    const endpoints: EndpointView[] = [];
    let ports: PortMapping[] = [];
    for (const a of this.#attachmentsOf(c.id)) {
      const n = networks.find((x) => x.id === a.networkId);
      if (!n) continue;
      if (a.ports?.length) ports = [...a.ports];
      endpoints.push({
        network: n,
        config: a.config,
        endpointId: a.ip ? endpointIdOf(c.id, n.id) : '',
        ...(a.ip ? { ip: a.ip, gateway: n.gateway, mac: a.mac } : {}),
        prefixLen: a.ip && n.subnet ? parseSubnet(n.subnet).bits : 0,
      });
    }
    const mode = c.host.networkMode;
    if (mode === 'host' || mode === 'none') {
      const n = networks.find((x) => x.name === mode);
      if (n) endpoints.push({ network: n, config: {}, endpointId: '', prefixLen: 0 });
    }
    const running = LIVE.has(c.state.status);
    return {
      endpoints,
      ports,
      sandboxKey: running && this.#primaryName(c) ? this.#nsPath(c.id) : '',
    };
  }
}

/** `until` as a timestamp (RFC 3339, unix seconds) or a duration before now (`24h`). */
function untilCutoff(text: string): number {
  const d = /^(\d+)(s|m|h)$/.exec(text);
  if (d) return Date.now() - Number(d[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[d[2] as 's'];
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw invalidArgument(`invalid filter 'until=${text}'`);
  return t;
}
