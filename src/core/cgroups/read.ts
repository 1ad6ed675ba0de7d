// Reading a container's cgroups, whichever version the host runs.

import type { CgroupPaths } from './cgroup-paths.js';
import { parsePidList, readCgroupFile, type CgroupStats } from './cgroup-stats.js';
import { readCgroupV1 } from './v1.js';
import { readCgroupV2 } from './v2.js';

export function readCgroupStats(paths: CgroupPaths): Promise<CgroupStats> {
  return paths.version === 1 ? readCgroupV1(paths.dirs) : readCgroupV2(paths.dir);
}

/**
 * The processes in the cgroup (cgroup.procs: thread-group leaders, not threads). v1 reads the
 * pids hierarchy, else any other the process is in: every one holds the same processes.
 */
export async function readCgroupProcs(paths: CgroupPaths): Promise<number[]> {
  if (paths.version === 2) return parsePidList(await readCgroupFile(paths.dir, 'cgroup.procs'));
  const { pids, memory, cpu, cpuacct, blkio } = paths.dirs;
  const dir = pids ?? memory ?? cpu ?? cpuacct ?? blkio;
  return parsePidList(await readCgroupFile(dir, 'cgroup.procs'));
}
