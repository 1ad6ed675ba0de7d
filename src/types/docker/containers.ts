// Docker Engine API wire shapes for containers (API 1.41).

export interface ContainerCreateResponse {
  Id: string;
  Warnings: string[];
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  /** With `size=1`, and only when not 0. */
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string>;
  State: string;
  Status: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, unknown> };
  Mounts: unknown[];
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: {
    Status: string;
    FailingStreak: number;
    Log: readonly { Start: string; End: string; ExitCode: number; Output: string }[];
  };
}

export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  ExecIDs: string[] | null;
  HostConfig: Record<string, unknown>;
  GraphDriver: { Data: Record<string, string> | null; Name: string };
  /** With `size=1`. */
  SizeRw?: number;
  SizeRootFs?: number;
  Mounts: unknown[];
  Config: Record<string, unknown>;
  NetworkSettings: Record<string, unknown>;
}

export interface ContainersPruneResponse {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** One entry of `GET /containers/{id}/changes`: Kind 0 modified, 1 added, 2 deleted. */
export interface ContainerChangeResponseItem {
  Path: string;
  Kind: 0 | 1 | 2;
}

export interface ContainerCommitResponse {
  Id: string;
}

/** The JSON in `X-Docker-Container-Path-Stat` (base64) of archive HEAD and GET. */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go's os.FileMode: permission bits, plus 1<<31 for a directory, 1<<27 for a symlink... */
  mode: number;
  /** RFC 3339 with nanoseconds. */
  mtime: string;
  linkTarget: string;
}
