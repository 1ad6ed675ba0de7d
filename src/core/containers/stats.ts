// A container's resource usage at one moment, and the report that pairs it with the moment
// before (CPU percentages are computed from the difference).

import type { CgroupStats } from '../cgroups/cgroup-stats.js';
import type { InterfaceCounters } from '../host/net-dev.js';

export interface ResourceSample {
  /** When it was read (ISO 8601). */
  readonly read: string;
  readonly cgroup: CgroupStats;
  /** The host's CPU time when it was read, in nanoseconds. */
  readonly systemCpuNs: number;
  readonly onlineCpus: number;
  /** The memory limit: the cgroup's, or the host's memory when the cgroup has none. */
  readonly memoryLimit: number;
  /** The interfaces of its network namespace but `lo`; undefined when it has none of its own. */
  readonly networks?: ReadonlyMap<string, InterfaceCounters>;
}

export interface StatsReport {
  readonly id: string;
  /** The container's name, without the leading `/`. */
  readonly name: string;
  /** Undefined when the container is not running: its stats are all zero. */
  readonly current?: ResourceSample;
  readonly previous?: ResourceSample;
}
