// The OCI runtime spec (config.json) of a container, built as Docker builds it (moby
// oci/defaults.go DefaultLinuxSpec plus daemon/oci_linux.go createSpec). Pure: the caller
// resolves everything that needs the host or the image first and passes plain values:
//
//   const caps = effectiveCapabilities(hc.CapAdd, hc.CapDrop, hc.Privileged);   // capabilities.ts
//   const user = resolveUser(cfg.User, passwdText, groupText, hc.GroupAdd);     // user.ts
//   const seccomp = hc.Privileged ? undefined
//     : seccompForContainer(profile, { capabilities: caps, arch, kernelVersion }); // seccomp.ts
//   const spec = buildOciSpec({ id, rootfsPath, process: { ..., user, capabilities: caps }, ... });
//
// What stays with the caller: the environment (PATH, HOSTNAME, TERM, as Docker's
// CreateDaemonEnvironment), --init (prepend the init to args and add its bind mount), the
// bind/volume/tmpfs/etc-file mounts in OCI form (see {@link tmpfsMount}), the host devices
// (for --privileged: every host device), namespace paths of other containers, and
// MemorySwap's default of twice Memory (Docker sets it when the container is created).

import type {
  LinuxCapabilities,
  LinuxDevice,
  LinuxDeviceCgroup,
  LinuxNamespace,
  LinuxResources,
  LinuxSeccomp,
  Mount,
  PosixRlimit,
  Process,
  Spec,
} from './oci-types.js';
import { ALL_CAPABILITIES } from './capabilities.js';
import { OCI_VERSION } from './oci-types.js';

/** Docker's default --shm-size: 64 MiB. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** Paths Docker hides from a non-privileged container (moby oci/defaults.go). */
export const DEFAULT_MASKED_PATHS: readonly string[] = Object.freeze([
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
]);

/** Paths Docker makes read-only in a non-privileged container. */
export const DEFAULT_READONLY_PATHS: readonly string[] = Object.freeze([
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
]);

/** A namespace to create, to share with the host, or to join by path. */
export type NamespaceMode = 'new' | 'host' | { path: string };

export interface NamespacesInput {
  /** `new` covers Docker's bridge and none modes; `path` joins another container's netns. */
  network: { mode: 'new' } | { mode: 'host' } | { mode: 'path'; path: string };
  pid: NamespaceMode;
  /** `none` is a private namespace without /dev/shm (Docker's --ipc none). */
  ipc: NamespaceMode | 'none';
  uts: 'new' | 'host';
  cgroup: 'private' | 'host';
}

export interface RlimitInput {
  /** Docker's ulimit name: `nofile`, `nproc`, `core`, ... */
  name: string;
  soft: number;
  hard: number;
}

export interface ProcessInput {
  args: string[];
  env: string[];
  /** Default `/`. */
  cwd?: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  consoleSize?: { height: number; width: number };
  noNewPrivileges: boolean;
  /** The container's capability set (from effectiveCapabilities). Ignored when privileged:
   * a privileged container gets ALL_CAPABILITIES. */
  capabilities: readonly string[];
  rlimits?: RlimitInput[];
  /** Default 0 (Docker always writes it). */
  oomScoreAdj?: number;
}

/** A device node to create in the container; the caller stats the host device. */
export interface DeviceInput {
  /** The path in the container. */
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
  /** `rwm` or a subset. */
  cgroupPermissions: string;
}

export interface ResourcesInput {
  /** Bytes. */
  memory?: number;
  memoryReservation?: number;
  /** Bytes of memory plus swap; -1 unlimited (left out, as Docker does). */
  memorySwap?: number;
  memorySwappiness?: number;
  oomKillDisable?: boolean;
  cpuShares?: number;
  /** CPUs × 1e9 (--cpus); becomes quota over a 100000 µs period. */
  nanoCpus?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** Zero or less means unlimited (-1). */
  pidsLimit?: number;
  blkioWeight?: number;
}

export interface ContainerSpecInput {
  /** The container's full ID. Docker writes it nowhere in the spec but cgroupsPath (the
   * caller's), so it is not written here either; it is kept for the caller's logs. */
  id: string;
  /** The mounted root filesystem (absolute). */
  rootfsPath: string;
  readonlyRootfs: boolean;
  process: ProcessInput;
  /** Left out when the UTS namespace is the host's. */
  hostname: string;
  /** Written as the `kernel.domainname` sysctl, as Docker does. */
  domainname?: string;
  namespaces: NamespacesInput;
  /** Binds, volumes, tmpfs, /etc/{hosts,resolv.conf,hostname} in OCI form; they replace a
   * default mount with the same destination, and a /dev mount replaces all of /dev/*. */
  extraMounts: Mount[];
  /** /dev/shm's size in bytes; default 64 MiB. */
  shmSize?: number;
  devices: DeviceInput[];
  /** Extra devices-cgroup rules (--device-cgroup-rule), already parsed. */
  deviceCgroupRules?: LinuxDeviceCgroup[];
  /** Added after Docker's defaults for a new network namespace, and win over them. */
  sysctls: Record<string, string>;
  resources: ResourcesInput;
  /** `/docker/<id>` with the cgroupfs driver, `system.slice:docker:<id>` with systemd. */
  cgroupsPath: string;
  privileged: boolean;
  /** What --privileged grants: the capabilities this host lets the daemon hand out (default all). */
  availableCapabilities?: readonly string[];
  /** From seccompForContainer; undefined = unconfined. Always unconfined when privileged. */
  seccomp?: LinuxSeccomp;
  /** HostConfig.MaskedPaths; default Docker's list, none when privileged. */
  maskedPaths?: readonly string[];
  /** HostConfig.ReadonlyPaths; default Docker's list, none when privileged. */
  readonlyPaths?: readonly string[];
}

/** Docker's default mounts, /dev/shm without its size. */
function defaultMounts(): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', 'ro'],
    },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['ro', 'nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/dev/mqueue',
      type: 'mqueue',
      source: 'mqueue',
      options: ['nosuid', 'noexec', 'nodev'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777'],
    },
  ];
}

/** Docker's default devices-cgroup rules: deny all, allow the basic character devices. */
export function defaultDeviceCgroupRules(): LinuxDeviceCgroup[] {
  const allow = (major: number, minor: number): LinuxDeviceCgroup => ({
    allow: true,
    type: 'c',
    major,
    minor,
    access: 'rwm',
  });
  return [
    { allow: false, access: 'rwm' },
    allow(1, 5), // /dev/zero
    allow(1, 3), // /dev/null
    allow(1, 9), // /dev/urandom
    allow(1, 8), // /dev/random
    allow(5, 0), // /dev/tty
    allow(5, 1), // /dev/console
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse
  ];
}

/**
 * A --tmpfs / `type=tmpfs` mount as Docker writes it: `noexec,nosuid,nodev,rprivate` then the
 * user's options (comma-separated `data`), later options winning over earlier ones of the same
 * kind (Docker's MergeTmpfsOptions).
 */
export function tmpfsMount(destination: string, data = ''): Mount {
  const options = ['noexec', 'nosuid', 'nodev', 'rprivate'];
  if (data !== '') options.push(...data.split(','));
  return { destination, type: 'tmpfs', source: 'tmpfs', options: mergeTmpfsOptions(options) };
}

const FLAG_PAIRS: Record<string, string> = {
  ro: 'rw',
  rw: 'ro',
  exec: 'noexec',
  noexec: 'exec',
  suid: 'nosuid',
  nosuid: 'suid',
  dev: 'nodev',
  nodev: 'dev',
  atime: 'noatime',
  noatime: 'atime',
  diratime: 'nodiratime',
  nodiratime: 'diratime',
  strictatime: 'nostrictatime',
  nostrictatime: 'strictatime',
};
const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** The last of each flag pair, propagation mode and key=value option wins (moby MergeTmpfsOptions). */
function mergeTmpfsOptions(options: string[]): string[] {
  const out: string[] = [];
  const seenKeys = new Set<string>();
  const seenFlags = new Set<string>();
  let seenPropagation = false;
  for (const opt of [...options].reverse()) {
    const key = opt.includes('=') ? opt.slice(0, opt.indexOf('=')) : undefined;
    if (key !== undefined) {
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
    } else if (PROPAGATION.includes(opt)) {
      if (seenPropagation) continue;
      seenPropagation = true;
    } else {
      const other = FLAG_PAIRS[opt];
      if (seenFlags.has(opt) || (other !== undefined && seenFlags.has(other))) continue;
      seenFlags.add(opt);
    }
    out.unshift(opt);
  }
  return out;
}

/** Path depth after cleaning: how Docker orders user mounts, parents before children. */
function depth(destination: string): number {
  const parts = destination.split('/').filter((p) => p !== '' && p !== '.');
  return parts.length;
}

function mounts(input: ContainerSpecInput): Mount[] {
  const user = [...input.extraMounts]
    .map((m) => ({ ...m, ...(m.options ? { options: [...m.options] } : {}) }))
    .sort((a, b) => depth(a.destination) - depth(b.destination));
  const userDests = new Set(user.map((m) => m.destination));
  const devMounted = userDests.has('/dev');
  const shmSize = input.shmSize ?? DEFAULT_SHM_SIZE;
  const defaults: Mount[] = [];
  for (const m of defaultMounts()) {
    if (userDests.has(m.destination)) continue;
    if (devMounted && m.destination.startsWith('/dev/')) continue;
    if (m.destination === '/dev/shm') {
      if (input.namespaces.ipc === 'none') continue;
      m.options = [...(m.options ?? []), `size=${shmSize}`];
    }
    defaults.push(m);
  }
  const all = [...defaults, ...user];
  const keepWritable = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);
  for (const m of all) {
    if (input.readonlyRootfs && !keepWritable.has(m.destination) && !userDests.has(m.destination)) {
      if (!m.options?.includes('ro')) m.options = [...(m.options ?? []), 'ro'];
    }
    if (input.privileged && (m.destination === '/sys' || m.type === 'cgroup')) {
      m.options = (m.options ?? []).filter((o) => o !== 'ro');
    }
  }
  return all;
}

function namespaces(input: ContainerSpecInput): LinuxNamespace[] {
  const ns = input.namespaces;
  const out: LinuxNamespace[] = [{ type: 'mount' }];
  const net = ns.network;
  if (net.mode === 'new') out.push({ type: 'network' });
  else if (net.mode === 'path') out.push({ type: 'network', path: net.path });
  if (ns.uts === 'new') out.push({ type: 'uts' });
  if (ns.pid === 'new') out.push({ type: 'pid' });
  else if (typeof ns.pid === 'object') out.push({ type: 'pid', path: ns.pid.path });
  if (ns.ipc === 'new' || ns.ipc === 'none') out.push({ type: 'ipc' });
  else if (typeof ns.ipc === 'object') out.push({ type: 'ipc', path: ns.ipc.path });
  if (ns.cgroup === 'private') out.push({ type: 'cgroup' });
  return out;
}

function capabilities(caps: readonly string[], uid: number): LinuxCapabilities {
  // Docker gives a non-root user only the bounding set, to match what execve does.
  if (uid !== 0) return { bounding: [...caps] };
  return { bounding: [...caps], effective: [...caps], permitted: [...caps] };
}

function processOf(input: ContainerSpecInput, caps: readonly string[]): Process {
  const p = input.process;
  const process: Process = {
    user: { uid: p.user.uid, gid: p.user.gid },
    args: [...p.args],
    env: [...p.env],
    cwd: p.cwd || '/',
    capabilities: capabilities(caps, p.user.uid),
  };
  if (p.tty) {
    process.terminal = true;
    if (p.consoleSize && (p.consoleSize.height > 0 || p.consoleSize.width > 0)) {
      process.consoleSize = { ...p.consoleSize };
    }
  }
  if (p.user.additionalGids.length > 0) process.user.additionalGids = [...p.user.additionalGids];
  const rlimits: PosixRlimit[] = (p.rlimits ?? []).map((r) => ({
    type: `RLIMIT_${r.name.toUpperCase()}`,
    hard: r.hard,
    soft: r.soft,
  }));
  if (rlimits.length > 0) process.rlimits = rlimits;
  if (p.noNewPrivileges) process.noNewPrivileges = true;
  process.oomScoreAdj = p.oomScoreAdj ?? 0;
  // Key order as specs-go writes it.
  return {
    ...(process.terminal ? { terminal: true } : {}),
    ...(process.consoleSize ? { consoleSize: process.consoleSize } : {}),
    user: process.user,
    args: process.args,
    env: process.env,
    cwd: process.cwd,
    capabilities: process.capabilities,
    ...(process.rlimits ? { rlimits: process.rlimits } : {}),
    ...(process.noNewPrivileges ? { noNewPrivileges: true } : {}),
    oomScoreAdj: process.oomScoreAdj,
  };
}

function resources(input: ContainerSpecInput): {
  resources: LinuxResources;
  devices: LinuxDevice[];
} {
  const r = input.resources;
  const devices: LinuxDevice[] = input.devices.map((d) => ({
    path: d.path,
    type: d.type,
    major: d.major,
    minor: d.minor,
    fileMode: d.fileMode,
    uid: d.uid,
    gid: d.gid,
  }));
  const rules: LinuxDeviceCgroup[] = input.privileged
    ? [{ allow: true, access: 'rwm' }]
    : [
        ...defaultDeviceCgroupRules(),
        ...input.devices.map((d): LinuxDeviceCgroup => ({
          allow: true,
          type: d.type,
          major: d.major,
          minor: d.minor,
          access: d.cgroupPermissions,
        })),
        ...(input.deviceCgroupRules ?? []).map((rule) => ({ ...rule })),
      ];
  const out: LinuxResources = { devices: rules };

  const memory: NonNullable<LinuxResources['memory']> = {};
  if (r.memory !== undefined && r.memory > 0) memory.limit = r.memory;
  if (r.memoryReservation !== undefined && r.memoryReservation > 0) {
    memory.reservation = r.memoryReservation;
  }
  if (r.memorySwap !== undefined && r.memorySwap > 0) memory.swap = r.memorySwap;
  if (r.memorySwappiness !== undefined) memory.swappiness = r.memorySwappiness;
  if (r.oomKillDisable !== undefined) memory.disableOOMKiller = r.oomKillDisable;
  if (Object.keys(memory).length > 0) out.memory = memory;

  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus !== undefined && r.nanoCpus > 0) {
    const period = 100000;
    cpu.quota = Math.trunc((r.nanoCpus * period) / 1e9);
    cpu.period = period;
  }
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;

  if (r.pidsLimit !== undefined) out.pids = { limit: r.pidsLimit > 0 ? r.pidsLimit : -1 };
  if (r.blkioWeight) out.blockIO = { weight: r.blkioWeight };
  return { resources: out, devices };
}

/** The sysctls Docker sets for a container in its own network namespace. */
export const DEFAULT_NETWORK_SYSCTLS: Readonly<Record<string, string>> = Object.freeze({
  'net.ipv4.ping_group_range': '0 2147483647',
  'net.ipv4.ip_unprivileged_port_start': '0',
});

/**
 * The OCI runtime spec for a container, as Docker would write it. Pure and deterministic:
 * the same input gives the same object (serialize it with JSON.stringify for config.json).
 *
 * Privileged containers get every capability (ALL_CAPABILITIES; process.capabilities is
 * ignored), no seccomp, no masked or read-only paths (unless given explicitly), a writable
 * /sys and cgroup mount, and access to every device (the caller passes the host devices in
 * `devices`).
 *
 * The domain name becomes the `kernel.domainname` sysctl, as Docker does it (the OCI spec has
 * no field runc applies for it).
 */
/**
 * Docker's root propagation: rshared when a bind is shared, rslave when one is a slave, so the
 * mount can receive (and send) events; otherwise runc's default.
 */
function rootfsPropagationOf(extra: readonly Mount[]): { rootfsPropagation?: string } {
  const options = extra.filter((m) => m.type === 'bind').flatMap((m) => m.options ?? []);
  if (options.some((o) => o === 'shared' || o === 'rshared'))
    return { rootfsPropagation: 'rshared' };
  if (options.some((o) => o === 'slave' || o === 'rslave')) return { rootfsPropagation: 'rslave' };
  return {};
}

export function buildOciSpec(input: ContainerSpecInput): Spec {
  const caps = input.privileged
    ? (input.availableCapabilities ?? ALL_CAPABILITIES)
    : input.process.capabilities;
  const { resources: res, devices } = resources(input);

  const sysctl: Record<string, string> = {};
  if (input.domainname) sysctl['kernel.domainname'] = input.domainname;
  if (input.namespaces.network.mode === 'new') Object.assign(sysctl, DEFAULT_NETWORK_SYSCTLS);
  Object.assign(sysctl, input.sysctls);

  const masked = input.maskedPaths ?? (input.privileged ? [] : DEFAULT_MASKED_PATHS);
  const readonly = input.readonlyPaths ?? (input.privileged ? [] : DEFAULT_READONLY_PATHS);

  const spec: Spec = {
    ociVersion: OCI_VERSION,
    process: processOf(input, caps),
    root: { path: input.rootfsPath, ...(input.readonlyRootfs ? { readonly: true } : {}) },
    ...(input.namespaces.uts === 'new' && input.hostname ? { hostname: input.hostname } : {}),
    mounts: mounts(input),
    linux: {
      ...(Object.keys(sysctl).length > 0 ? { sysctl } : {}),
      resources: res,
      cgroupsPath: input.cgroupsPath,
      namespaces: namespaces(input),
      ...rootfsPropagationOf(input.extraMounts),
      ...(devices.length > 0 ? { devices } : {}),
      ...(input.seccomp && !input.privileged ? { seccomp: structuredClone(input.seccomp) } : {}),
      ...(masked.length > 0 ? { maskedPaths: [...masked] } : {}),
      ...(readonly.length > 0 ? { readonlyPaths: [...readonly] } : {}),
    },
  };
  return spec;
}
