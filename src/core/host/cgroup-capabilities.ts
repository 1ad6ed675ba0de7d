import { existsSync } from 'node:fs';
import type { CgroupCapabilities } from '../system.js';
import type { CgroupVersion } from './host-info.js';

/** What the host's cgroups can limit (cgroup v1 controllers, or the v2 unified hierarchy). */
export function detectCgroupCapabilities(
  version: CgroupVersion,
  root = '/sys/fs/cgroup',
): CgroupCapabilities {
  if (version === '2') {
    const has = (f: string): boolean => existsSync(`${root}/${f}`);
    const controllers = existsSync(`${root}/cgroup.controllers`);
    return {
      memoryLimit: controllers,
      swapLimit: has('memory.swap.max') || controllers,
      cpuCfsPeriod: controllers,
      cpuCfsQuota: controllers,
      cpuShares: controllers,
      cpuSet: controllers,
      pidsLimit: controllers,
      oomKillDisable: false,
    };
  }
  const has = (f: string): boolean => existsSync(`${root}/${f}`);
  return {
    memoryLimit: has('memory/memory.limit_in_bytes'),
    swapLimit: has('memory/memory.memsw.limit_in_bytes'),
    cpuCfsPeriod: has('cpu/cpu.cfs_period_us'),
    cpuCfsQuota: has('cpu/cpu.cfs_quota_us'),
    cpuShares: has('cpu/cpu.shares'),
    cpuSet: has('cpuset/cpuset.cpus'),
    pidsLimit: has('pids/pids.max') || has('pids'),
    oomKillDisable: has('memory/memory.oom_control'),
  };
}
