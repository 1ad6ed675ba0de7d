// A container as the engine keeps it: what it was created with (immutable) and its state.

import type { ContainerDefaults } from '../images/image-config.js';
import type { HealthState } from './health.js';
import type { DeviceMapping } from '../runtime/host-devices.js';
import type { LogConfig } from './log-config.js';

/** The process and environment, merged from the image's defaults and the request. */
export interface ContainerConfig extends ContainerDefaults {
  /** The image as the user named it (`busybox`), shown by `ps`. */
  Image: string;
}

/** Settings of the host side: the subset of the request's HostConfig the engine acts on. */
export interface HostSettings {
  readonly autoRemove: boolean;
  readonly networkMode: string;
  readonly restartPolicy: { readonly name: string; readonly maximumRetryCount: number };
  /** Security and resources (optional: containers created before they existed have none). */
  readonly privileged?: boolean;
  readonly readonlyRootfs?: boolean;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly noNewPrivileges?: boolean;
  readonly seccompUnconfined?: boolean;
  /** A `--security-opt seccomp=<profile>`: the profile's JSON (Docker's format). */
  readonly seccompProfile?: string;
  readonly groupAdd?: readonly string[];
  readonly tmpfs?: Readonly<Record<string, string>>;
  /** `-v` entries (Binds), `--mount` objects (Mounts, checked by the volume service), `--volumes-from`. */
  readonly binds?: readonly string[];
  readonly mounts?: readonly unknown[];
  readonly volumesFrom?: readonly string[];
  readonly ulimits?: readonly { name: string; soft: number; hard: number }[];
  readonly sysctls?: Readonly<Record<string, string>>;
  readonly shmSize?: number;
  /** HostConfig.Devices (`--device`), read from the host at each start. */
  readonly devices?: readonly DeviceMapping[];
  /** HostConfig.OomScoreAdj, -1000..1000 (0 when left out). */
  readonly oomScoreAdj?: number;
  readonly init?: boolean;
  /** `--pid`: '' (its own), `host`, or `container:<name|id>`. */
  readonly pidMode?: string;
  /** `--ipc`: '' or `private`/`shareable` (its own), `none` (no /dev/shm), `host`. */
  readonly ipcMode?: string;
  /** `--uts`: '' or `host`. */
  readonly utsMode?: string;
  /** `--cgroupns`: '' or `host` (berth's default), `private`. */
  readonly cgroupnsMode?: string;
  /** HostConfig.LogConfig, the daemon's defaults filled in at create. */
  readonly logConfig?: LogConfig;
  /** A terminal's initial [rows, cols] (`docker run -it` sends the client's). */
  readonly consoleSize?: readonly [number, number];
  /** Networking (optional: containers created before networks existed have none). */
  readonly portBindings?: Readonly<Record<string, readonly { hostIp: string; hostPort: string }[]>>;
  readonly publishAllPorts?: boolean;
  /** `--link name:alias`. */
  readonly links?: readonly string[];
  readonly extraHosts?: readonly string[];
  readonly dns?: readonly string[];
  readonly dnsSearch?: readonly string[];
  readonly dnsOptions?: readonly string[];
  /** NetworkingConfig.EndpointsConfig by network name (`default` is the default network). */
  readonly endpoints?: Readonly<
    Record<string, { aliases?: readonly string[]; ipv4Address?: string; links?: readonly string[] }>
  >;
  readonly resources?: {
    readonly memory?: number;
    readonly memorySwap?: number;
    readonly cpuShares?: number;
    readonly nanoCpus?: number;
    readonly cpusetCpus?: string;
    readonly pidsLimit?: number;
    readonly memoryReservation?: number;
    /** 0-100; left out for the kernel's default. */
    readonly memorySwappiness?: number;
    readonly oomKillDisable?: boolean;
    readonly cpuQuota?: number;
    readonly cpuPeriod?: number;
    readonly cpusetMems?: string;
    readonly blkioWeight?: number;
  };
}

export type ContainerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
  restartCount: number;
  /** Stopped by the user (docker stop): restart policies leave it stopped, also across restarts. */
  manuallyStopped?: boolean;
  /** State.Health, for a container with a healthcheck. */
  health?: HealthState;
}

export const NEVER = '0001-01-01T00:00:00Z';

export function initialState(): ContainerState {
  return {
    status: 'created',
    pid: 0,
    exitCode: 0,
    error: '',
    oomKilled: false,
    startedAt: NEVER,
    finishedAt: NEVER,
    restartCount: 0,
  };
}

export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  readonly imageId: string;
  readonly driverId: string;
  readonly created: string;
  /** The executable and its arguments (entrypoint + cmd). */
  readonly path: string;
  readonly args: readonly string[];
  readonly config: ContainerConfig;
  readonly host: HostSettings;
  /**
   * The client's HostConfig document as sent (its unknown fields included), echoed by inspect:
   * opaque to the engine.
   */
  readonly hostConfigDocument: Readonly<Record<string, unknown>>;
  readonly state: ContainerState;
}

/** What create needs, decoded from the request by the API edge. */
export interface CreateRequest {
  readonly name?: string;
  readonly image: string;
  /** The request's Config fields (undefined/null: inherit from the image). */
  readonly config: ContainerDefaults;
  readonly host: HostSettings;
  readonly hostConfigDocument: Readonly<Record<string, unknown>>;
}

/** What `docker update` changes: the resources given, and the restart policy if given. */
export interface ContainerUpdate {
  readonly resources: NonNullable<HostSettings['resources']>;
  readonly restartPolicy?: HostSettings['restartPolicy'];
}
