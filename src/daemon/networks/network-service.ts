// Networks: the default ones made at start-up, user bridge networks (create, ls, inspect,
// rm, prune, connect, disconnect), and the daemon's network state taken down at a clean
// shutdown. Addresses live in the state store; the firewall is rewritten from it in one
// batch whenever ports or networks change (see container-networks.ts for a start's part).

import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '../../core/containers/container.js';
import {
  BerthError,
  conflict,
  hasErrno,
  invalidArgument,
  isBerthError,
  notFound,
} from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import {
  checkFilterKeys,
  matchesLabels,
  matchesPruneLabels,
  pruneCutoff,
  type FilterArgs,
} from '../../core/filters.js';
import { embeddedResolverOf } from '../../core/network/dns-scope.js';
import { checkStatic, makePool } from '../../core/network/ipam.js';
import { formatIp, formatSubnet, macOf, overlaps, parseSubnet } from '../../core/network/ipv4.js';
import type {
  Attachment,
  EndpointConfig,
  NetworkCreateRequest,
  NetworkRecord,
  NetworkView,
} from '../../core/network/network.js';
import type { NetworkRecords } from '../../core/state/network-records.js';
import type { Logger } from '../../lib/logger.js';
import {
  addInterface,
  deleteLink,
  ensureBridge,
  linkExists,
  removeSandbox,
  setIpForward,
} from './bridge-driver.js';
import { claimSubnet, initDefaultBridge } from './default-bridge.js';
import { DnsServers } from './dns-server.js';
import {
  addressesSeenBy,
  allocateAddress,
  attachmentsOf,
  containerResolvConf,
  endpointIdOf,
  hostVethOf,
  LIVE,
  nsPathOf,
  poolOf,
  primaryNetworkName,
  publishNetworkEvent,
  resolveNetwork,
  type ContainerLookup,
} from './endpoints.js';
import type { IptablesFirewall } from './iptables-firewall.js';
import type { PortReservations } from './port-reservations.js';

/** The daemon settings networks use (DaemonConfig's bridge flags). */
export interface NetworkSettings {
  /** `--bridge`: an existing bridge to use instead of making one (`none`: no default network). */
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
  readonly containers: ContainerLookup;
  readonly events: EventPublisher;
  readonly logger: Logger;
  readonly settings: NetworkSettings;
  readonly execRoot: string;
  readonly hostResolvConf: string;
  /** Where each container's directory (with its resolv.conf) is. */
  readonly containerRoot: string;
  /** Names this daemon's devices and chains apart from other daemons' ('' for the default). */
  readonly tag: string;
  readonly firewall: IptablesFirewall;
  readonly ports: PortReservations;
}

const PREDEFINED = ['bridge', 'host', 'none'];
const NETWORK_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];
const PRUNE_FILTERS = ['label', 'label!', 'until'];
const VALID_NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class NetworkService {
  readonly #dns: DnsServers;
  #createQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: NetworkServiceDeps) {
    const upstream = deps.hostResolvConf
      .split('\n')
      .map((l) => /^\s*nameserver\s+(127\.\S+)/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined);
    this.#dns = new DnsServers({
      lookup: (networkId, name, from) =>
        addressesSeenBy(deps.records, deps.containers, networkId, name, from),
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
    await initDefaultBridge(this.deps);
    if (settings.ipForward) await setIpForward();
    await this.deps.firewall.install();
    for (const n of this.deps.records.networks()) {
      if (n.driver !== 'bridge' || n.isDefault) continue;
      await ensureBridge({
        name: n.bridge as string,
        address: `${n.gateway}/${parseSubnet(n.subnet as string).bits}`,
        mtu: settings.mtu,
        create: true,
      });
      await this.#listenDns(n);
    }
    await this.#releaseStale();
    const live = this.deps.records.attachments().filter((a) => a.ports && a.ports.length > 0);
    for (const a of live) await this.deps.ports.adopt(a.ports ?? []);
    await this.deps.firewall.apply();
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

  /**
   * At shutdown: with no container left running, the bridges, chains and rules go; otherwise
   * they stay for the live containers and the next start takes them over.
   */
  async shutdown(): Promise<void> {
    this.#dns.closeAll();
    this.deps.ports.releaseAll();
    const live = this.deps
      .containers()
      .all()
      .some((c) => LIVE.has(c.state.status));
    if (live) return;
    await this.deps.firewall.remove();
    for (const n of this.deps.records.networks()) {
      if (n.driver !== 'bridge' || !n.bridge) continue;
      if (n.isDefault && this.deps.settings.bridge !== '') continue;
      await deleteLink(n.bridge);
    }
  }

  /**
   * The network's resolver. Another program holding port 53 on every address costs the
   * network its names, not its existence: that is logged, not thrown.
   */
  async #listenDns(n: NetworkRecord): Promise<void> {
    try {
      await this.#dns.listen(n.id, n.gateway as string);
    } catch (err) {
      if (!hasErrno(err, 'EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES')) throw err;
      this.deps.logger.warn('no name resolution on this network: port 53 is taken', {
        network: n.name,
        address: n.gateway,
        error: (err as Error).message,
      });
    }
  }

  /** By full ID, name, or unique ID prefix; a 404 `network X not found` otherwise. */
  resolve(ref: string): NetworkRecord {
    return resolveNetwork(this.deps.records, ref);
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
    const n = resolveNetwork(this.deps.records, ref);
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
      subnet = await claimSubnet(bridge, taken, mtu);
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
      await this.#listenDns(record);
      await this.deps.firewall.apply();
    } catch (err) {
      this.#dns.close(id);
      this.deps.records.deleteNetwork(id);
      await deleteLink(bridge).catch(() => undefined);
      await this.deps.firewall.apply().catch(() => undefined);
      throw err;
    }
    publishNetworkEvent(this.deps.events, 'create', record);
    return { id, warning: '' };
  }

  async remove(ref: string): Promise<void> {
    const n = resolveNetwork(this.deps.records, ref);
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
    await this.deps.firewall.apply();
    if (n.bridge) await deleteLink(n.bridge);
    publishNetworkEvent(this.deps.events, 'destroy', n);
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
    const cutoff = pruneCutoff(filters);
    const removed: string[] = [];
    for (const n of this.deps.records.networks()) {
      if (PREDEFINED.includes(n.name) || used.has(n.id)) continue;
      if (!matchesPruneLabels(filters, n.labels)) continue;
      if (cutoff !== undefined && Date.parse(n.created) > cutoff) continue;
      await this.remove(n.id);
      removed.push(n.name);
    }
    return removed;
  }

  async connect(ref: string, containerRef: string, config: EndpointConfig): Promise<void> {
    const n = resolveNetwork(this.deps.records, ref);
    const c = this.deps.containers().resolve(containerRef);
    if (n.driver !== 'bridge' || !primaryNetworkName(c.host, this.deps.settings)) {
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
    const current = attachmentsOf(this.deps.records, c.id);
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
        const pool = poolOf(n);
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
      const ip = allocateAddress(this.deps.records, c.id, n, config.ipv4Address);
      await addInterface(nsPathOf(this.deps.execRoot, c.id), {
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
    await this.#followResolver(c, current);
    publishNetworkEvent(this.deps.events, 'connect', n, c.id);
  }

  async disconnect(ref: string, containerRef: string, force: boolean): Promise<void> {
    const n = resolveNetwork(this.deps.records, ref);
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
    const a = attachmentsOf(this.deps.records, c.id).find((x) => x.networkId === n.id);
    if (!a)
      throw new BerthError('forbidden', `container ${c.id} is not connected to network ${n.name}`);
    if (a.ip) {
      await deleteLink(hostVethOf(c.id, n.id));
      this.deps.ports.release(a.ports ?? []);
    }
    const before = attachmentsOf(this.deps.records, c.id);
    this.deps.records.deleteAttachment(c.id, n.id);
    if ((a.ports ?? []).length > 0) await this.deps.firewall.apply();
    if (a.ip) {
      await this.#followResolver(c, before);
      publishNetworkEvent(this.deps.events, 'disconnect', n, c.id);
    }
  }

  /**
   * After a live connect or disconnect, points a running container's resolv.conf at the
   * resolver its networks now give it (a default-bridge container gets the embedded resolver
   * of the user network it joins, and its host-derived file back when it leaves the last).
   * The file is rewritten in place: /etc/resolv.conf is a bind mount of it, which follows
   * the inode. A file the container changed itself is left as it is (as Docker does).
   */
  async #followResolver(c: ContainerRecord, before: readonly Attachment[]): Promise<void> {
    const primaryName = primaryNetworkName(c.host, this.deps.settings);
    if (!primaryName || !LIVE.has(c.state.status)) return;
    const primary = resolveNetwork(this.deps.records, primaryName);
    const networks = this.deps.records.networks();
    const ownDns = (c.host.dns ?? []).length > 0;
    const fileOf = (embedded: string | undefined): string =>
      containerResolvConf(c, this.deps.settings, this.deps.hostResolvConf, embedded);
    const was = fileOf(embeddedResolverOf(primary, before, networks, ownDns));
    const now = fileOf(
      embeddedResolverOf(primary, attachmentsOf(this.deps.records, c.id), networks, ownDns),
    );
    if (was === now) return;
    const path = join(this.deps.containerRoot, c.id, 'resolv.conf');
    const current = await readFile(path, 'utf8').catch((err: unknown) =>
      hasErrno(err, 'ENOENT') ? undefined : Promise.reject(err),
    );
    if (current !== was) {
      this.deps.logger.info('resolv.conf changed by the container: left as it is', { id: c.id });
      return;
    }
    await writeFile(path, now);
  }
}

/** `until` as a timestamp (RFC 3339, unix seconds) or a duration before now (`24h`). */
