import { join } from 'node:path';
import type { ContainerRecord } from '../../../core/containers/container.js';
import { humanDuration } from '../../../lib/units.js';
import { EMPTY_CONTAINER_CONFIG } from '../images/to-docker.js';
import type { ContainerInspect, ContainerSummary } from '../../../types/docker/containers.js';
import type { MountPoint } from '../../../core/volumes/mount-spec.js';
import { toMountPoint } from '../volumes/to-docker.js';
import type { ContainerNetworkView } from '../../../core/network/network.js';
import { networkSettingsToDocker, networksToDocker, summaryPorts } from './network-to-docker.js';

/** "Up 11 seconds", "Exited (0) 9 minutes ago", "Created": the daemon renders ps's Status. */
export function statusText(c: ContainerRecord, now = Date.now()): string {
  const since = (iso: string): string => humanDuration(now - Date.parse(iso));
  switch (c.state.status) {
    case 'created':
      return 'Created';
    case 'running': {
      const health = c.state.health?.Status;
      const suffix =
        health === undefined ? '' : health === 'starting' ? ' (health: starting)' : ` (${health})`;
      return `Up ${since(c.state.startedAt)}${suffix}`;
    }
    case 'paused':
      return `Up ${since(c.state.startedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${c.state.exitCode}) ${since(c.state.finishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'exited':
      return `Exited (${c.state.exitCode}) ${since(c.state.finishedAt)} ago`;
  }
}

/** As Docker's ps shows it: arguments with a space in single quotes (nothing escaped). */
export function commandLine(c: Pick<ContainerRecord, 'path' | 'args'>): string {
  return [c.path, ...c.args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' ');
}

export function toContainerSummary(
  c: ContainerRecord,
  options: {
    mounts?: (containerId: string) => readonly MountPoint[];
    network?: ContainerNetworkView;
  } = {},
): ContainerSummary {
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.config.Image,
    ImageID: c.imageId,
    Command: commandLine(c),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: summaryPorts(c, options.network),
    Labels: { ...(c.config.Labels ?? {}) },
    State: c.state.status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.host.networkMode },
    NetworkSettings: { Networks: networksToDocker(c, options.network) },
    Mounts: (options.mounts?.(c.id) ?? []).map(toMountPoint),
  };
}

const CONFIG_DEFAULTS = { ...EMPTY_CONTAINER_CONFIG, Labels: {} };

export function toContainerInspect(
  c: ContainerRecord,
  options: {
    driverName: string;
    containerRoot: string;
    execIds?: (containerId: string) => string[];
    graphDriverData?: (c: ContainerRecord) => Record<string, string> | null;
    mounts?: (containerId: string) => readonly MountPoint[];
    network?: (c: ContainerRecord) => ContainerNetworkView | undefined;
    /** With `size=1`: SizeRw and SizeRootFs. */
    sizes?: { rw: number; rootFs: number } | undefined;
  },
): ContainerInspect {
  const dir = join(options.containerRoot, c.id);
  const s = c.state;
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: [...c.args],
    State: {
      Status: s.status,
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      ...(s.health ? { Health: s.health } : {}),
    },
    Image: c.imageId,
    ResolvConfPath: join(dir, 'resolv.conf'),
    HostnamePath: join(dir, 'hostname'),
    HostsPath: join(dir, 'hosts'),
    // The file that is there: conmon's k8s-file log (none with the none driver).
    LogPath: c.host.logConfig?.type === 'none' ? '' : join(dir, 'container.log'),
    Name: `/${c.name}`,
    RestartCount: s.restartCount,
    Driver: options.driverName,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: nullIfEmpty(options.execIds?.(c.id) ?? []),
    HostConfig: {
      NetworkMode: 'default',
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      LogConfig: { Type: 'json-file', Config: {} },
      IpcMode: 'private',
      CgroupnsMode: 'host',
      ShmSize: 67108864,
      Runtime: 'runc',
      ...c.hostConfigDocument,
    },
    GraphDriver: { Data: options.graphDriverData?.(c) ?? null, Name: options.driverName },
    ...(options.sizes ? { SizeRw: options.sizes.rw, SizeRootFs: options.sizes.rootFs } : {}),
    Mounts: (options.mounts?.(c.id) ?? []).map(toMountPoint),
    Config: { ...CONFIG_DEFAULTS, ...c.config },
    NetworkSettings: networkSettingsToDocker(c, options.network?.(c)),
  };
}

function nullIfEmpty<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}
