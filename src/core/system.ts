// Facts about the engine and the host, as the version and info jobs report them.

import type { CgroupVersion } from './host/host-info.js';

export interface ComponentVersion {
  readonly name: string;
  readonly version: string;
  readonly details: Readonly<Record<string, string>>;
}

export interface EngineVersion {
  readonly version: string;
  readonly gitCommit: string;
  readonly buildTime: string;
  readonly nodeVersion: string;
  readonly os: string;
  readonly arch: string;
  readonly kernelVersion: string;
  readonly experimental: boolean;
  readonly components: readonly ComponentVersion[];
}

export interface ObjectCounts {
  readonly containers: number;
  readonly containersRunning: number;
  readonly containersPaused: number;
  readonly containersStopped: number;
  readonly images: number;
}

export interface CgroupCapabilities {
  readonly memoryLimit: boolean;
  readonly swapLimit: boolean;
  readonly cpuCfsPeriod: boolean;
  readonly cpuCfsQuota: boolean;
  readonly cpuShares: boolean;
  readonly cpuSet: boolean;
  readonly pidsLimit: boolean;
  readonly oomKillDisable: boolean;
}

export interface RuntimeInfo {
  readonly name: string;
  readonly path: string;
  /** Why the runtime cannot be used on this host, if it cannot. */
  readonly unusable?: string;
}

export interface EngineInfo {
  readonly id: string;
  readonly name: string;
  readonly counts: ObjectCounts;
  readonly storageDriver: string;
  readonly storageStatus: readonly (readonly [string, string])[];
  readonly dataRoot: string;
  readonly loggingDriver: string;
  readonly cgroupDriver: 'cgroupfs';
  readonly cgroupVersion: CgroupVersion;
  readonly cgroups: CgroupCapabilities;
  readonly ipv4Forwarding: boolean;
  readonly bridgeNfIptables: boolean;
  readonly bridgeNfIp6tables: boolean;
  readonly debug: boolean;
  readonly openFiles: number;
  readonly activeJobs: number;
  readonly eventListeners: number;
  readonly systemTime: string;
  readonly kernelVersion: string;
  readonly operatingSystem: string;
  readonly osVersion: string;
  readonly architecture: string;
  readonly ncpu: number;
  readonly memTotal: number;
  readonly labels: readonly string[];
  readonly experimental: boolean;
  readonly serverVersion: string;
  readonly runtimes: readonly RuntimeInfo[];
  readonly defaultRuntime: string;
  readonly liveRestore: boolean;
  readonly securityOptions: readonly string[];
  readonly insecureRegistries: readonly string[];
  readonly registryMirrors: readonly string[];
  readonly httpProxy: string;
  readonly httpsProxy: string;
  readonly noProxy: string;
  readonly warnings: readonly string[];
}
