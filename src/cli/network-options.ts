// The networking options of `berth run` and `berth create` and their part of the create
// body, as the Docker CLI sends them: -P, --link, --add-host, --dns*, --ip, --network-alias.

import { isIP } from 'node:net';
import { flagBool, flagList, flagString, type FlagSpec, type ParsedFlags } from '../lib/flags.js';
import { RunError } from './errors.js';

export const NETWORK_FLAGS: readonly FlagSpec[] = [
  { name: 'add-host', type: 'list', help: 'Add a custom host-to-IP mapping (host:ip)' },
  { name: 'dns', type: 'list', help: 'Set custom DNS servers' },
  { name: 'dns-option', type: 'list', help: 'Set DNS options' },
  { name: 'dns-search', type: 'list', help: 'Set custom DNS search domains' },
  { name: 'ip', type: 'string', help: 'IPv4 address (e.g., 172.30.100.104)' },
  { name: 'link', type: 'list', help: 'Add link to another container' },
  { name: 'network-alias', type: 'list', help: 'Add network-scoped alias for the container' },
  {
    name: 'publish-all',
    short: 'P',
    type: 'bool',
    help: 'Publish all exposed ports to random ports',
  },
];

/** An endpoint as the Docker CLI writes it in EndpointsConfig. */
/** An EndpointSettings as the Docker CLI sends it (`endpoint('', [], [])`: the default one). */
export function endpoint(
  ipv4: string,
  aliases: readonly string[],
  links: readonly string[],
): Record<string, unknown> {
  return {
    IPAMConfig: ipv4 ? { IPv4Address: ipv4 } : null,
    Links: links.length > 0 ? links : null,
    Aliases: aliases.length > 0 ? aliases : null,
    MacAddress: '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

/** The HostConfig fields of these flags, and the EndpointsConfig entry for `network`. */
export function networkBody(
  flags: ParsedFlags,
  network: string,
): {
  host: Record<string, unknown>;
  endpoints?: Record<string, unknown>;
} {
  const extraHosts = flagList(flags, 'add-host');
  for (const h of extraHosts) {
    const m = /^([^:=]+)[:=](.+)$/.exec(h);
    const ip = m?.[2]?.replace(/^\[(.*)\]$/, '$1') ?? '';
    if (!m || (ip !== 'host-gateway' && isIP(ip) === 0))
      throw new RunError(
        `invalid argument "${h}" for "--add-host" flag: invalid IP address in add-host: "${ip}"`,
      );
  }
  const dns = flagList(flags, 'dns');
  for (const d of dns)
    if (isIP(d) === 0)
      throw new RunError(`invalid argument "${d}" for "--dns" flag: ${d} is not an ip address`);
  const ip = flagString(flags, 'ip');
  if (ip !== '' && isIP(ip) !== 4)
    throw new RunError(`invalid argument "${ip}" for "--ip" flag: invalid IPv4 address`);
  const aliases = flagList(flags, 'network-alias');
  const links = flagList(flags, 'link');
  return {
    host: {
      Dns: dns,
      DnsOptions: flagList(flags, 'dns-option'),
      DnsSearch: flagList(flags, 'dns-search'),
      ExtraHosts: extraHosts.length > 0 ? extraHosts : null,
      Links: links.length > 0 ? links : null,
      PublishAllPorts: flagBool(flags, 'publish-all'),
    },
    ...(ip !== '' || aliases.length > 0 || links.length > 0
      ? { endpoints: { [network]: endpoint(ip, aliases, links) } }
      : {}),
  };
}
