import type { EngineEvent } from '../../../core/events.js';
import type { EngineInfo, EngineVersion } from '../../../core/system.js';
import type {
  EventMessage,
  InfoResponse,
  RuntimeEntry,
  VersionResponse,
} from '../../../types/docker/system.js';
import { stringifyJson } from '../../../lib/json.js';
import { API_VERSION, MIN_API_VERSION } from '../../api-version.js';

export function toDockerVersion(v: EngineVersion): VersionResponse {
  return {
    Platform: { Name: 'berth' },
    Components: [
      {
        Name: 'Engine',
        Version: v.version,
        Details: {
          ApiVersion: API_VERSION,
          Arch: v.arch,
          BuildTime: v.buildTime,
          Experimental: String(v.experimental),
          GitCommit: v.gitCommit,
          GoVersion: `node${v.nodeVersion.replace(/^v/, '')}`,
          KernelVersion: v.kernelVersion,
          MinAPIVersion: MIN_API_VERSION,
          Os: v.os,
        },
      },
      ...v.components.map((c) => ({ Name: c.name, Version: c.version, Details: { ...c.details } })),
    ],
    Version: v.version,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: v.gitCommit,
    GoVersion: `node${v.nodeVersion.replace(/^v/, '')}`,
    Os: v.os,
    Arch: v.arch,
    KernelVersion: v.kernelVersion,
    Experimental: v.experimental,
    BuildTime: v.buildTime,
  };
}

export function toDockerInfo(i: EngineInfo, version: EngineVersion): InfoResponse {
  const runtimes: Record<string, RuntimeEntry> = {};
  for (const r of i.runtimes) {
    runtimes[r.name] = r.unusable
      ? { path: r.path, status: { unusable: r.unusable } }
      : { path: r.path };
  }
  const commit = (name: string): { ID: string; Expected: string } => {
    const c = version.components.find((x) => x.name === name);
    const id = c?.details['GitCommit'] ?? '';
    return { ID: id, Expected: id };
  };
  return {
    ID: i.id,
    Containers: i.counts.containers,
    ContainersRunning: i.counts.containersRunning,
    ContainersPaused: i.counts.containersPaused,
    ContainersStopped: i.counts.containersStopped,
    Images: i.counts.images,
    Driver: i.storageDriver,
    DriverStatus: i.storageStatus.map(([k, v]) => [k, v]),
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'none'],
      Authorization: null,
      Log: ['json-file'],
    },
    MemoryLimit: i.cgroups.memoryLimit,
    SwapLimit: i.cgroups.swapLimit,
    CpuCfsPeriod: i.cgroups.cpuCfsPeriod,
    CpuCfsQuota: i.cgroups.cpuCfsQuota,
    CPUShares: i.cgroups.cpuShares,
    CPUSet: i.cgroups.cpuSet,
    PidsLimit: i.cgroups.pidsLimit,
    IPv4Forwarding: i.ipv4Forwarding,
    BridgeNfIptables: i.bridgeNfIptables,
    BridgeNfIp6tables: i.bridgeNfIp6tables,
    Debug: i.debug,
    NFd: i.openFiles,
    OomKillDisable: i.cgroups.oomKillDisable,
    NGoroutines: i.activeJobs,
    SystemTime: i.systemTime,
    LoggingDriver: i.loggingDriver,
    CgroupDriver: i.cgroupDriver,
    CgroupVersion: i.cgroupVersion,
    NEventsListener: i.eventListeners,
    KernelVersion: i.kernelVersion,
    OperatingSystem: i.operatingSystem,
    OSVersion: i.osVersion,
    OSType: 'linux',
    Architecture: i.architecture,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: null,
      AllowNondistributableArtifactsHostnames: null,
      InsecureRegistryCIDRs: [...i.insecureRegistries],
      IndexConfigs: {
        'docker.io': {
          Name: 'docker.io',
          Mirrors: [...i.registryMirrors],
          Secure: true,
          Official: true,
        },
      },
      Mirrors: [...i.registryMirrors],
    },
    NCPU: i.ncpu,
    MemTotal: i.memTotal,
    GenericResources: null,
    DockerRootDir: i.dataRoot,
    HttpProxy: i.httpProxy,
    HttpsProxy: i.httpsProxy,
    NoProxy: i.noProxy,
    Name: i.name,
    Labels: [...i.labels],
    ExperimentalBuild: i.experimental,
    ServerVersion: i.serverVersion,
    Runtimes: runtimes,
    DefaultRuntime: i.defaultRuntime,
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: i.liveRestore,
    Isolation: '',
    InitBinary: 'tini',
    ContainerdCommit: { ID: '', Expected: '' },
    RuncCommit: commit(i.defaultRuntime),
    InitCommit: commit('berth-init'),
    SecurityOptions: [...i.securityOptions],
    Warnings: i.warnings.length > 0 ? [...i.warnings] : null,
  };
}

/**
 * One event as its JSON line. timeNano (≈1.8e18) is beyond a double's exact range, so it is
 * written from the bigint, digit for digit, as Go does.
 */
export function eventToJson(e: EngineEvent): string {
  return stringifyJson({ ...toDockerEvent(e), timeNano: e.timeNano });
}

/** Docker's event JSON, with the legacy status/id/from fields for containers and images. */
export function toDockerEvent(e: EngineEvent): EventMessage {
  const time = Number(e.timeNano / 1_000_000_000n);
  const base = {
    Type: e.type,
    Action: e.action,
    Actor: { ID: e.actor.id, Attributes: { ...e.actor.attributes } },
    scope: e.scope,
    time,
    timeNano: Number(e.timeNano),
  };
  if (e.type === 'container') {
    return { status: e.action, id: e.actor.id, from: e.actor.attributes['image'] ?? '', ...base };
  }
  if (e.type === 'image') return { status: e.action, id: e.actor.id, ...base };
  return base;
}
