// Bridges, namespaces and veths through iproute2: a container's namespace is made and wired
// with one `unshare … ip -batch` and one `ip link set`, and undone by unmounting it (the
// kernel then deletes the veth pair with the namespace).

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrno } from '../../core/errors.js';
import { parseSubnet, type Subnet } from '../../core/network/ipv4.js';
import { runTool, ToolError } from './host-tools.js';

export interface SandboxSpec {
  readonly nsPath: string;
  readonly interfaces: readonly {
    readonly bridge: string;
    /** The host side's name (`veth` and 11 hex). */
    readonly hostVeth: string;
    /** eth0, eth1, ... inside. */
    readonly name: string;
    readonly cidr: string;
    readonly mac: string;
    readonly mtu: number;
  }[];
  /** The default route's gateway (the first interface's network). */
  readonly gateway?: string;
}

/** The subnets the host routes somewhere now (all devices, all tables of the main set). */
export async function hostRoutes(): Promise<{ dev: string; subnet: Subnet }[]> {
  const out = await runTool('ip', ['-4', '-o', 'route', 'show', 'table', 'all']);
  const routes: { dev: string; subnet: Subnet }[] = [];
  for (const line of out.split('\n')) {
    const m =
      /^(?:(?:local|broadcast|unicast)\s+)?(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)\s.*\bdev\s+(\S+)/.exec(
        line,
      );
    if (!m) continue;
    const text = (m[1] as string).includes('/') ? (m[1] as string) : `${m[1]}/32`;
    if (text.startsWith('127.')) continue;
    routes.push({ dev: m[2] as string, subnet: parseSubnet(text) });
  }
  return routes;
}

const LINK_GOING_WAIT_MS = 2000;

export async function linkExists(name: string): Promise<boolean> {
  // A device the kernel is taking down (the veth of a namespace just freed) answers EINVAL or
  // ENODEV for a moment, and keeps its name until it is gone: waited out, briefly.
  const deadline = Date.now() + LINK_GOING_WAIT_MS;
  for (;;) {
    try {
      await readFile(`/sys/class/net/${name}/ifindex`);
      return true;
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return false;
      if (!hasErrno(err, 'EINVAL', 'ENODEV') || Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Makes (or adopts) a bridge with `address` (`172.18.0.1/16`) and brings it up. */
export async function ensureBridge(o: {
  name: string;
  address: string;
  mtu: number;
  create: boolean;
}): Promise<void> {
  const exists = await linkExists(o.name);
  if (!exists && !o.create)
    throw new ToolError(`bridge device ${o.name} does not exist: create it first`);
  const batch: string[] = [];
  // A bridge of ours gets its own MAC address: without one it takes the lowest of its ports',
  // which changes as containers come and go, and the containers' ARP entries for the gateway
  // (their resolver) then point at a port that left, so their packets to it get lost.
  if (!exists)
    batch.push(`link add name ${o.name} mtu ${o.mtu} address ${randomMac()} type bridge`);
  // A bridge of ours keeps one address: an earlier one (another --bip) goes.
  if (exists && o.create)
    for (const old of await addresses(o.name))
      if (old !== o.address) batch.push(`addr del ${old} dev ${o.name}`);
  batch.push(`addr replace ${o.address} dev ${o.name}`, `link set ${o.name} up`);
  await runTool('ip', ['-batch', '-'], { input: batch.join('\n') + '\n' });
  // Published ports reached on 127.0.0.1 are routed out through the bridge.
  await writeFile(`/proc/sys/net/ipv4/conf/${o.name}/route_localnet`, '1').catch(() => undefined);
}

/** The IPv4 addresses of a device, `a.b.c.d/n`. */
export async function addresses(device: string): Promise<string[]> {
  const out = await runTool('ip', ['-4', '-o', 'addr', 'show', 'dev', device]);
  return [...out.matchAll(/\sinet\s+(\S+)/g)].map((m) => m[1] as string);
}

export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  await runTool('ip', ['link', 'del', name]).catch((err: unknown) => {
    if (!(err instanceof ToolError && /Cannot find device/.test(err.message))) throw err;
  });
}

/** Creates the namespace file, the veth pairs (inside first, host side into our namespace). */
export async function createSandbox(spec: SandboxSpec): Promise<void> {
  await mkdir(join(spec.nsPath, '..'), { recursive: true, mode: 0o700 });
  await writeFile(spec.nsPath, '', { flag: 'w' }).catch(async (err: unknown) => {
    // The bind mount of a sandbox a crash left from the container's last run refuses being
    // written to; no process of the container runs, so nothing uses it.
    if (!hasErrno(err, 'EPERM')) throw err;
    await removeSandbox(spec.nsPath);
    await writeFile(spec.nsPath, '', { flag: 'w' });
  });
  for (const i of spec.interfaces) await removeStale(i.hostVeth);
  const inside = ['link set lo up'];
  for (const i of spec.interfaces) inside.push(...interfaceBatch(i));
  if (spec.gateway) inside.push(`route add default via ${spec.gateway}`);
  try {
    await runTool('unshare', [`--net=${spec.nsPath}`, 'ip', '-batch', '-'], {
      input: inside.join('\n') + '\n',
    });
    if (spec.interfaces.length > 0)
      await runTool('ip', ['-batch', '-'], {
        input:
          spec.interfaces.map((i) => `link set ${i.hostVeth} master ${i.bridge} up`).join('\n') +
          '\n',
      });
  } catch (err) {
    await removeSandbox(spec.nsPath).catch(() => undefined);
    throw err;
  }
}

/**
 * A veth of the container's last run may still be there: the kernel frees a namespace (and
 * the veths in it) a moment after its unmount. Its name is taken until then.
 */
async function removeStale(hostVeth: string): Promise<void> {
  if (await linkExists(hostVeth)) await deleteLink(hostVeth);
}

function interfaceBatch(i: SandboxSpec['interfaces'][number]): string[] {
  return [
    `link add ${i.name} mtu ${i.mtu} address ${i.mac} type veth peer name ${i.hostVeth} mtu ${i.mtu} netns /proc/${process.pid}/ns/net`,
    `addr add ${i.cidr} dev ${i.name}`,
    `link set ${i.name} up`,
  ];
}

/** Adds one interface to a live sandbox (network connect). */
export async function addInterface(
  nsPath: string,
  i: SandboxSpec['interfaces'][number],
  defaultGateway?: string,
): Promise<void> {
  await removeStale(i.hostVeth);
  const inside = interfaceBatch(i);
  if (defaultGateway) inside.push(`route replace default via ${defaultGateway}`);
  await runTool('nsenter', [`--net=${nsPath}`, 'ip', '-batch', '-'], {
    input: inside.join('\n') + '\n',
  });
  try {
    await runTool('ip', ['link', 'set', i.hostVeth, 'master', i.bridge, 'up']);
  } catch (err) {
    await deleteLink(i.hostVeth).catch(() => undefined);
    throw err;
  }
}

/**
 * Unmounts and removes the namespace file. The kernel then frees the namespace and, with it,
 * the veth pairs (deleting them ourselves costs an RCU grace period per link: ~20 ms here).
 * Called after the container's processes are gone, so nothing else holds the namespace.
 */
export async function removeSandbox(nsPath: string): Promise<void> {
  try {
    await stat(nsPath);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return;
    throw err;
  }
  await runTool('umount', [nsPath]).catch((err: unknown) => {
    if (!(err instanceof ToolError && /not mounted|no mount point/.test(err.message))) throw err;
  });
  await rm(nsPath, { force: true });
}

export async function setIpForward(): Promise<void> {
  const path = '/proc/sys/net/ipv4/ip_forward';
  if ((await readFile(path, 'utf8')).trim() !== '1') await writeFile(path, '1');
}

/** A random unicast, locally administered MAC address (`02:xx:xx:xx:xx:xx`). */
function randomMac(): string {
  return ['02', ...[...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
