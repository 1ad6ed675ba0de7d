import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { hasErrno } from '../../core/errors.js';
import { detectCgroupCapabilities } from '../../core/host/cgroup-capabilities.js';
import type { HostInfo } from '../../core/host/host-info.js';
import type {
  CgroupCapabilities,
  ComponentVersion,
  EngineInfo,
  EngineVersion,
  ObjectCounts,
  RuntimeInfo,
} from '../../core/system.js';
import type { BuildInfo } from '../../lib/build-info.js';
import type { DaemonConfig } from '../config/daemon-config.js';

export const SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

export interface SystemServiceDeps {
  readonly config: DaemonConfig;
  readonly host: HostInfo;
  readonly build: BuildInfo;
  readonly daemonId: string;
  readonly components: readonly ComponentVersion[];
  readonly counts: () => ObjectCounts;
  readonly activeJobs: () => number;
  readonly eventListeners: () => number;
  readonly storageStatus: () => [string, string][];
}

function readFlag(path: string): boolean | undefined {
  try {
    return readFileSync(path, 'utf8').trim() === '1';
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function openFileCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** The version and info jobs: engine and host facts, read when asked. */
export class SystemService {
  readonly #cgroups: CgroupCapabilities;
  constructor(private readonly deps: SystemServiceDeps) {
    this.#cgroups = detectCgroupCapabilities(deps.host.cgroupVersion);
  }

  version(): EngineVersion {
    const { build, host, config, components } = this.deps;
    return {
      version: build.version,
      gitCommit: build.gitCommit,
      buildTime: build.buildTime,
      nodeVersion: process.version,
      os: 'linux',
      arch: host.goArch,
      kernelVersion: host.kernelVersion,
      experimental: config.experimental,
      // The kernel is the component overlayfs, namespaces and cgroups come from; listing it makes
      // the Docker CLI's `version` show it in the server section.
      components: [...components, { name: 'kernel', version: host.kernelVersion, details: {} }],
    };
  }

  runtimes(): RuntimeInfo[] {
    const { components, host } = this.deps;
    const out: RuntimeInfo[] = [];
    for (const name of ['runc', 'crun']) {
      if (!components.some((c) => c.name === name)) continue;
      const unusable =
        name === 'crun' && host.cgroupHybrid
          ? 'crun refuses hybrid cgroup hosts (cgroup v1 controllers beside a v2 mount); use runc here'
          : undefined;
      out.push({ name, path: name, unusable });
    }
    return out;
  }

  info(): EngineInfo {
    const { config, host, build } = this.deps;
    const ipv4Forwarding = readFlag('/proc/sys/net/ipv4/ip_forward') ?? false;
    const nfIptables = readFlag('/proc/sys/net/bridge/bridge-nf-call-iptables');
    const nfIp6tables = readFlag('/proc/sys/net/bridge/bridge-nf-call-ip6tables');
    const runtimes = this.runtimes();
    const warnings: string[] = [];
    if (nfIptables === undefined) warnings.push('WARNING: bridge-nf-call-iptables is disabled');
    if (nfIp6tables === undefined) warnings.push('WARNING: bridge-nf-call-ip6tables is disabled');
    if (!runtimes.some((r) => r.name === 'runc'))
      warnings.push('WARNING: runc was not found on PATH');
    if (config.tls === undefined && config.hosts.some((h) => h.kind === 'tcp')) {
      warnings.push(
        'WARNING: API is accessible on TCP without encryption. Access to the remote API is equivalent to root access on the host.',
      );
    }
    const securityOptions: string[] = [];
    if (existsSync(SECCOMP_PROFILE)) securityOptions.push('name=seccomp,profile=builtin');
    if (host.cgroupVersion === '2') securityOptions.push('name=cgroupns');
    return {
      id: this.deps.daemonId,
      name: host.hostname,
      counts: this.deps.counts(),
      storageDriver: config.storageDriver,
      storageStatus: this.deps.storageStatus(),
      dataRoot: config.dataRoot,
      loggingDriver: config.logDriver,
      cgroupDriver: 'cgroupfs',
      cgroupVersion: host.cgroupVersion,
      cgroups: this.#cgroups,
      ipv4Forwarding,
      bridgeNfIptables: nfIptables ?? false,
      bridgeNfIp6tables: nfIp6tables ?? false,
      debug: config.logLevel === 'debug',
      openFiles: openFileCount(),
      activeJobs: this.deps.activeJobs(),
      eventListeners: this.deps.eventListeners(),
      systemTime: new Date().toISOString(),
      kernelVersion: host.kernelVersion,
      operatingSystem: host.operatingSystem,
      osVersion: host.osVersion,
      architecture: host.machine,
      ncpu: host.ncpu,
      memTotal: host.memTotal,
      labels: config.labels,
      experimental: config.experimental,
      serverVersion: build.version,
      runtimes,
      defaultRuntime: config.defaultRuntime,
      liveRestore: config.liveRestore,
      securityOptions,
      insecureRegistries: ['127.0.0.0/8', ...config.insecureRegistries],
      registryMirrors: config.registryMirrors,
      httpProxy: process.env['HTTP_PROXY'] ?? process.env['http_proxy'] ?? '',
      httpsProxy: process.env['HTTPS_PROXY'] ?? process.env['https_proxy'] ?? '',
      noProxy: process.env['NO_PROXY'] ?? process.env['no_proxy'] ?? '',
      warnings,
    };
  }
}
