// A container's networks in Docker's shapes: NetworkSettings for inspect, Ports and
// NetworkSettings.Networks for ps.

import type { ContainerRecord } from '../../../core/containers/container.js';
import type { ContainerNetworkView, EndpointView } from '../../../core/network/network.js';

function endpointToDocker(e: EndpointView, c: ContainerRecord): Record<string, unknown> {
  const userNetwork = !e.network.isDefault && e.network.driver === 'bridge';
  return {
    IPAMConfig: e.config.ipv4Address ? { IPv4Address: e.config.ipv4Address } : null,
    Links: e.config.links?.length ? [...e.config.links] : null,
    Aliases: e.config.aliases?.length ? [...e.config.aliases] : null,
    MacAddress: e.mac ?? '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: e.network.id,
    EndpointID: e.endpointId,
    Gateway: e.gateway ?? '',
    IPAddress: e.ip ?? '',
    IPPrefixLen: e.prefixLen,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: userNetwork && e.ip ? [c.name, c.id.slice(0, 12), ...(e.config.aliases ?? [])] : null,
  };
}

export function networksToDocker(
  c: ContainerRecord,
  view: ContainerNetworkView | undefined,
): Record<string, unknown> {
  return Object.fromEntries(
    (view?.endpoints ?? []).map((e) => [e.network.name, endpointToDocker(e, c)]),
  );
}

/** NetworkSettings.Ports: exposed ports (null when not published) and their bindings. */
export function portsToDocker(
  c: ContainerRecord,
  view: ContainerNetworkView | undefined,
): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const live = c.state.status === 'running' || c.state.status === 'paused';
  if (!live) return {};
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of Object.keys(c.config.ExposedPorts ?? {}))
    out[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const m of view?.ports ?? []) {
    const key = `${m.containerPort}/${m.proto}`;
    out[key] = [...(out[key] ?? []), { HostIp: m.hostIp, HostPort: String(m.hostPort) }];
  }
  return out;
}

/** ps's Ports: published ones with their host side, exposed ones without. */
export function summaryPorts(
  c: ContainerRecord,
  view: ContainerNetworkView | undefined,
): { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] {
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  const published = new Set<string>();
  for (const m of view?.ports ?? []) {
    published.add(`${m.containerPort}/${m.proto}`);
    out.push({ IP: m.hostIp, PrivatePort: m.containerPort, PublicPort: m.hostPort, Type: m.proto });
  }
  for (const key of Object.keys(c.config.ExposedPorts ?? {})) {
    const [port = '', proto = 'tcp'] = key.split('/');
    if (published.has(`${port}/${proto}`)) continue;
    out.push({ PrivatePort: Number(port), Type: proto });
  }
  return out;
}

/** Inspect's NetworkSettings; the top-level address fields are the default bridge's. */
export function networkSettingsToDocker(
  c: ContainerRecord,
  view: ContainerNetworkView | undefined,
): Record<string, unknown> {
  const bridge = view?.endpoints.find((e) => e.network.isDefault);
  return {
    Bridge: '',
    SandboxID: view?.sandboxKey ? c.id : '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: portsToDocker(c, view),
    SandboxKey: view?.sandboxKey ?? '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.endpointId ?? '',
    Gateway: bridge?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.ip ?? '',
    IPPrefixLen: bridge?.prefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: bridge?.mac ?? '',
    Networks: networksToDocker(c, view),
  };
}
