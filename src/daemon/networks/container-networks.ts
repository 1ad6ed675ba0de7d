// A container's part of the network: create-time checks, and at each start its namespace,
// veths, addresses, published ports and /etc files (attach), given back at its exit (detach).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord, CreateRequest } from '../../core/containers/container.js';
import { conflict, invalidArgument, isBerthError, notFound } from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import {
  extraHostLine,
  linkEnv,
  linkHostsLine,
  type LinkTarget,
} from '../../core/network/etc-files.js';
import { embeddedResolverOf } from '../../core/network/dns-scope.js';
import { formatIp, macOf, parseIp, parseSubnet } from '../../core/network/ipv4.js';
import type {
  Attachment,
  ContainerNetworkView,
  EndpointView,
  NetworkRecord,
} from '../../core/network/network.js';
import { checkPortBindings, portRequests, type PortMapping } from '../../core/network/ports.js';
import type { NetworkRecords } from '../../core/state/network-records.js';
import type { Logger } from '../../lib/logger.js';
import {
  hostsFile,
  isolatedNetworking,
  type ContainerNetworking,
  type NetworkAttachment,
} from '../containers/start-parts.js';
import { createSandbox, removeSandbox } from './bridge-driver.js';
import {
  allocateAddress,
  attachmentsOf,
  containerResolvConf,
  endpointIdOf,
  hostVethOf,
  LIVE,
  nsPathOf,
  primaryNetworkName,
  publishNetworkEvent,
  resolveNetwork,
  type ContainerLookup,
} from './endpoints.js';
import type { PortReservations } from './port-reservations.js';

export interface ContainerNetworksDeps {
  readonly records: NetworkRecords;
  readonly containers: ContainerLookup;
  readonly events: EventPublisher;
  readonly logger: Logger;
  /** --bridge, --mtu and the daemon's --dns, --dns-search, --dns-opt. */
  readonly settings: {
    readonly bridge: string;
    readonly mtu: number;
    readonly dns: readonly string[];
    readonly dnsSearch: readonly string[];
    readonly dnsOptions: readonly string[];
  };
  readonly execRoot: string;
  readonly containerRoot: string;
  readonly hostResolvConf: string;
  /** Rewrites the firewall from the state store (published ports changed). */
  readonly firewall: { apply(): Promise<void> };
  readonly ports: PortReservations;
}

export class ContainerNetworks implements ContainerNetworking {
  readonly #isolated: ContainerNetworking;

  constructor(private readonly deps: ContainerNetworksDeps) {
    this.#isolated = isolatedNetworking(deps.hostResolvConf, {
      hostGateway: () => deps.records.networks().find((n) => n.name === 'bridge')?.gateway ?? '',
    });
  }

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
    } else {
      const primary = primaryNetworkName(r.host, this.deps.settings);
      if (primary !== undefined && resolveNetwork(this.deps.records, primary).driver !== 'bridge')
        throw notFound(`network ${mode} not found`);
    }
    if (r.host.portBindings) checkPortBindings(r.host.portBindings);
    for (const [name, e] of Object.entries(r.host.endpoints ?? {})) {
      if (e.ipv4Address) {
        if (parseIp(e.ipv4Address) === undefined)
          throw invalidArgument(`invalid IPv4 address: ${e.ipv4Address}`);
        const n = resolveNetwork(this.deps.records, name === 'default' ? 'bridge' : name);
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
    const primary = primaryNetworkName(c.host, this.deps.settings);
    if (!primary) return;
    const n = resolveNetwork(this.deps.records, primary);
    const endpoints = c.host.endpoints ?? {};
    const cfg = endpoints[primary] ?? endpoints[n.name] ?? endpoints['default'] ?? {};
    this.deps.records.putAttachment(c.id, n.id, cfg);
  }

  async attach(c: ContainerRecord): Promise<NetworkAttachment> {
    const mode = c.host.networkMode;
    if (mode === 'host' || mode === 'none') {
      const attached = await this.#isolated.attach(c);
      this.#builtinEvent('connect', c);
      return attached;
    }
    if (mode.startsWith('container:'))
      return this.#joinContainer(c, mode.slice('container:'.length));
    const primaryName = primaryNetworkName(c.host, this.deps.settings);
    if (primaryName === undefined) return this.#isolated.attach(c);
    const primary = resolveNetwork(this.deps.records, primaryName);
    if (!attachmentsOf(this.deps.records, c.id).some((a) => a.networkId === primary.id))
      this.deps.records.putAttachment(c.id, primary.id, {});
    const attachments = attachmentsOf(this.deps.records, c.id).sort((a, b) =>
      a.networkId === primary.id ? -1 : b.networkId === primary.id ? 1 : 0,
    );
    const hostname = c.config.Hostname || c.id.slice(0, 12);
    const nsPath = nsPathOf(this.deps.execRoot, c.id);
    const allocated: { a: Attachment; n: NetworkRecord; ip: number }[] = [];
    let ports: PortMapping[] = [];
    try {
      for (const a of attachments) {
        const n = this.deps.records.networks().find((x) => x.id === a.networkId);
        if (!n?.subnet) continue;
        const ip = allocateAddress(this.deps.records, c.id, n, a.config.ipv4Address);
        allocated.push({ a, n, ip });
      }
      ports = await this.deps.ports
        .reserve(
          portRequests(
            c.host.portBindings ?? {},
            Object.keys(c.config.ExposedPorts ?? {}),
            c.host.publishAllPorts === true,
          ),
        )
        .catch((err: unknown) => {
          // In Docker's words: the endpoint on the container's first network could not publish.
          if (!isBerthError(err, 'conflict')) throw err;
          throw conflict(
            `driver failed programming external connectivity on endpoint ${c.name} (${endpointIdOf(c.id, primary.id)}): ${err.message}`,
          );
        });
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
      if (ports.length > 0) await this.deps.firewall.apply();
      this.deps.logger.debug('network attached', {
        id: c.id,
        sandboxMs: Math.round(sandboxMs),
        ports: ports.length,
      });
      for (const { n } of allocated) publishNetworkEvent(this.deps.events, 'connect', n, c.id);
      const domain = c.config.Domainname ? `${hostname}.${c.config.Domainname} ` : '';
      const gateway = first?.n.gateway ?? '';
      return {
        namespace: { mode: 'path', path: nsPath },
        uts: 'new',
        hostname,
        // Without an address (the none network) no line names the container, as in Docker.
        hosts: hostsFile(first ? [`${formatIp(first.ip)}\t${domain}${hostname}`] : [], [
          ...(c.host.extraHosts ?? [])
            .map((e) => extraHostLine(e, gateway))
            .filter((l): l is string => l !== undefined),
          ...links.map(linkHostsLine),
        ]),
        resolvConf: containerResolvConf(
          c,
          this.deps.settings,
          this.deps.hostResolvConf,
          embeddedResolverOf(
            primary,
            attachmentsOf(this.deps.records, c.id),
            this.deps.records.networks(),
            (c.host.dns ?? []).length > 0,
          ),
        ),
        env: links.flatMap((l) => linkEnv(c.name, l)),
        sysctls: {
          'net.ipv4.ping_group_range': '0 2147483647',
          'net.ipv4.ip_unprivileged_port_start': '0',
        },
      };
    } catch (err) {
      this.deps.ports.release(ports);
      for (const { n } of allocated) this.deps.records.setAddress(c.id, n.id, undefined);
      await removeSandbox(nsPath).catch(() => undefined);
      if (ports.length > 0) await this.deps.firewall.apply().catch(() => undefined);
      throw err;
    }
  }

  async detach(c: ContainerRecord): Promise<void> {
    const attached = attachmentsOf(this.deps.records, c.id).filter((a) => a.ip);
    const networks = this.deps.records.networks();
    const hadPorts = attached.some((a) => (a.ports ?? []).length > 0);
    for (const a of attached) {
      this.deps.ports.release(a.ports ?? []);
      this.deps.records.setAddress(c.id, a.networkId, undefined);
    }
    const start = performance.now();
    await removeSandbox(nsPathOf(this.deps.execRoot, c.id));
    if (hadPorts) await this.deps.firewall.apply();
    this.deps.logger.debug('network detached', {
      id: c.id,
      ms: Math.round(performance.now() - start),
    });
    for (const a of attached) {
      const n = networks.find((x) => x.id === a.networkId);
      if (n) publishNetworkEvent(this.deps.events, 'disconnect', n, c.id);
    }
    this.#builtinEvent('disconnect', c);
  }

  /** Docker's connect/disconnect events for the host and none networks too. */
  #builtinEvent(action: 'connect' | 'disconnect', c: ContainerRecord): void {
    const mode = c.host.networkMode;
    if (mode !== 'host' && mode !== 'none') return;
    const n = this.deps.records.networks().find((x) => x.name === mode);
    if (n) publishNetworkEvent(this.deps.events, action, n, c.id);
  }

  /** `--link name:alias` targets: running, with an address on the default bridge. */
  #links(c: ContainerRecord, primary: NetworkRecord): LinkTarget[] {
    if (!primary.isDefault) return [];
    return this.#linkTargets(c, primary);
  }

  #linkTargets(c: ContainerRecord, net: NetworkRecord): LinkTarget[] {
    const containers = this.deps.containers();
    return (c.host.links ?? []).map((l) => {
      const [ref = '', aliasGiven] = l.split(':');
      const t = containers.resolve(ref);
      const alias = (aliasGiven ?? t.name).replace(/^.*\//, '');
      const ip = attachmentsOf(this.deps.records, t.id).find((a) => a.networkId === net.id)?.ip;
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
      etcFilesOf: t.id,
    };
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
    for (const a of attachmentsOf(this.deps.records, c.id)) {
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
      sandboxKey:
        running && primaryNetworkName(c.host, this.deps.settings)
          ? nsPathOf(this.deps.execRoot, c.id)
          : '',
    };
  }
}
