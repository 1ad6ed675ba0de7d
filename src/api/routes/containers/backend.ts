import type { ContainerRecord, CreateRequest } from '../../../core/containers/container.js';
import type { FilterArgs } from '../../../core/filters.js';
import type { MountPoint } from '../../../core/volumes/mount-spec.js';
import type { ContainerNetworkView } from '../../../core/network/network.js';

/** What the container routes need from the daemon. */
export interface ContainersBackend {
  readonly driverName: string;
  readonly containerRoot: string;
  /** inspect's GraphDriver.Data: where the container's layers are (null when the driver tells nothing). */
  graphDriverData?(c: ContainerRecord): Record<string, string> | null;
  /** The unfinished execs of a container (inspect's ExecIDs). */
  execIds?(containerId: string): string[];
  /** The container's networks, addresses and published ports (inspect, ps). */
  network?(c: ContainerRecord): ContainerNetworkView;
  create(request: CreateRequest): Promise<{ id: string; warnings: string[] }>;
  resolve(ref: string): ContainerRecord;
  list(options: { all: boolean; limit: number; filters: FilterArgs }): ContainerRecord[];
  rename(ref: string, name: string): void;
  /** `volumes`: `rm -v`, the container's anonymous volumes go too. */
  remove(ref: string, options: { force: boolean; volumes?: boolean }): Promise<void>;
  /** The container's mounts (inspect's and ps's Mounts). */
  mountsOf?(containerId: string): readonly MountPoint[];
  /** SizeRw and SizeRootFs (ps -s, inspect -s, system df). */
  sizes?(c: ContainerRecord): Promise<{ rw: number; rootFs: number }>;
  /** `spaceReclaimed`: what the removed containers' writable layers held. */
  prune(filters: FilterArgs): Promise<{ deleted: string[]; spaceReclaimed: number }>;
}
