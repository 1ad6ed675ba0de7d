// The networking part of a create body: HostConfig's ports, links, hosts and DNS, and
// NetworkingConfig.EndpointsConfig.

import type { HostSettings } from '../../../core/containers/container.js';
import { invalidArgument } from '../../../core/errors.js';
import { asObject, optBool, optString, optStrings, type JsonObject } from '../../decode.js';

type NetworkHostSettings = Pick<
  HostSettings,
  | 'portBindings'
  | 'publishAllPorts'
  | 'links'
  | 'extraHosts'
  | 'dns'
  | 'dnsSearch'
  | 'dnsOptions'
  | 'endpoints'
>;

export function decodeNetworkSettings(
  hostConfig: JsonObject,
  root: JsonObject,
): NetworkHostSettings {
  const path = 'HostConfig';
  const bindingsRaw = asObject(hostConfig['PortBindings'], `${path}.PortBindings`) ?? {};
  const portBindings: Record<string, { hostIp: string; hostPort: string }[]> = {};
  for (const [key, list] of Object.entries(bindingsRaw)) {
    if (list === null) {
      portBindings[key] = [];
      continue;
    }
    if (!Array.isArray(list))
      throw invalidArgument(`invalid JSON: field ${path}.PortBindings.${key} must be an array`);
    portBindings[key] = list.map((b, i) => {
      const o = asObject(b, `${path}.PortBindings.${key}[${i}]`) ?? {};
      return {
        hostIp: optString(o, 'HostIp', `${path}.PortBindings.${key}[${i}]`) ?? '',
        hostPort: optString(o, 'HostPort', `${path}.PortBindings.${key}[${i}]`) ?? '',
      };
    });
  }
  const networking = asObject(root['NetworkingConfig'], 'NetworkingConfig');
  const endpointsRaw =
    asObject(networking?.['EndpointsConfig'], 'NetworkingConfig.EndpointsConfig') ?? {};
  const endpoints: Record<string, NonNullable<HostSettings['endpoints']>[string]> = {};
  for (const [name, value] of Object.entries(endpointsRaw)) {
    const at = `NetworkingConfig.EndpointsConfig.${name}`;
    const e = asObject(value, at) ?? {};
    const ipam = asObject(e['IPAMConfig'], `${at}.IPAMConfig`);
    const ipv4 = optString(ipam, 'IPv4Address', `${at}.IPAMConfig`) ?? '';
    endpoints[name] = {
      aliases: optStrings(e, 'Aliases', at) ?? [],
      ...(ipv4 ? { ipv4Address: ipv4 } : {}),
      links: optStrings(e, 'Links', at) ?? [],
    };
  }
  if (Object.keys(endpoints).length > 1)
    throw invalidArgument(
      'Container cannot be connected to network endpoints: only one network can be given at create',
    );
  return {
    portBindings,
    publishAllPorts: optBool(hostConfig, 'PublishAllPorts', path) ?? false,
    links: optStrings(hostConfig, 'Links', path) ?? [],
    extraHosts: optStrings(hostConfig, 'ExtraHosts', path) ?? [],
    dns: optStrings(hostConfig, 'Dns', path) ?? [],
    dnsSearch: optStrings(hostConfig, 'DnsSearch', path) ?? [],
    dnsOptions: optStrings(hostConfig, 'DnsOptions', path) ?? [],
    endpoints,
  };
}
