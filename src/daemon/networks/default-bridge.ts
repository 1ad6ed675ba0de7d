// The default bridge network at start-up, and the subnet a new network gets when none is
// given: the first of Docker's pools that overlaps nothing on the host, claimed in a way
// that two daemons choosing at the same moment do not end up on the same one.

import { randomBytes } from 'node:crypto';
import { BerthError } from '../../core/errors.js';
import { chooseSubnet } from '../../core/network/ipam.js';
import {
  formatIp,
  formatSubnet,
  overlaps,
  parseCidr,
  parseIp,
  parseSubnet,
  type Subnet,
} from '../../core/network/ipv4.js';
import type { NetworkRecord } from '../../core/network/network.js';
import type { NetworkRecords } from '../../core/state/network-records.js';
import { addresses, deleteLink, ensureBridge, hostRoutes, linkExists } from './bridge-driver.js';
import { runTool } from './host-tools.js';
import type { NetworkSettings } from './network-service.js';

/**
 * The `bridge` network: its device (`berth0`, `berth-<tag>`, or --bridge's), its address
 * (--bip, else the one it had, else a free pool) and its record.
 */
export async function initDefaultBridge(deps: {
  records: NetworkRecords;
  settings: NetworkSettings;
  tag: string;
}): Promise<void> {
  const { settings, tag } = deps;
  const old = deps.records.networks().find((n) => n.name === 'bridge');
  if (settings.bridge === 'none') {
    // No default bridge network at all (Docker's `--bridge=none`).
    if (old) deps.records.deleteNetwork(old.id);
    return;
  }
  const device = settings.bridge || (tag === '' ? 'berth0' : `berth-${tag}`);
  const mtu = settings.mtu;
  const create = settings.bridge === '';
  let address: { ip: number; bits: number } | undefined;
  if (settings.bip) address = parseCidr(settings.bip);
  else if (!create) address = await deviceAddress(device);
  const others = async (): Promise<Subnet[]> => [
    ...(await hostRoutes()).filter((r) => r.dev !== device).map((r) => r.subnet),
    ...deps.records
      .networks()
      .filter((n) => n.subnet && !n.isDefault)
      .map((n) => parseSubnet(n.subnet as string)),
  ];
  if (!address && old?.subnet && old.gateway) {
    const s = parseSubnet(old.subnet);
    if (!(await others()).some((o) => overlaps(o, s)))
      address = { ip: parseIp(old.gateway) as number, bits: s.bits };
  }
  if (!address) address = await deviceAddress(device);
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
      if (old) deps.records.updateNetwork(record);
      else deps.records.insertNetwork(record);
      return;
    }
    await runTool('ip', ['addr', 'del', `${formatIp(chosen.ip)}/${chosen.bits}`, 'dev', device]);
    refused.push(subnet);
    await new Promise((r) => setTimeout(r, Math.random() * 30));
  }
}

async function deviceAddress(device: string): Promise<{ ip: number; bits: number } | undefined> {
  if (!(await linkExists(device))) return undefined;
  const [first] = await addresses(device);
  return first ? parseCidr(first) : undefined;
}

/**
 * The first default pool free on the host, taken by giving `bridge` its gateway address.
 * Another daemon may have chosen the same pool at the same moment: when a route of another
 * device overlaps once ours is there, the pool is given up and, after a random pause (so
 * that the two do not meet again), the next one tried.
 */
export async function claimSubnet(
  bridge: string,
  taken: readonly Subnet[],
  mtu: number,
): Promise<string> {
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
