// Docker's checks of the resource limits a container asks for, at create and at update, in
// its words: refused then, rather than failing at start inside runc.

import { existsSync } from 'node:fs';
import { invalidArgument } from '../errors.js';

const MIN_MEMORY = 6 * 1024 * 1024;

/**
 * `memory` and `memorySwap` as they will be in force (0 or undefined: none; swap -1:
 * unlimited). At create (not update) a swap limit needs a memory limit.
 */
export function checkMemoryLimits(
  limits: { readonly memory?: number | undefined; readonly memorySwap?: number | undefined },
  options: { readonly update: boolean },
): void {
  const memory = limits.memory ?? 0;
  const swap = limits.memorySwap ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY)
    throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory)
    throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (!options.update && memory === 0 && swap > 0)
    throw invalidArgument(
      'You should always set the Memory limit when using Memoryswap limit, see usage',
    );
}

/** The other limits Docker checks at create (as sent; 0 or undefined: not set). */
export interface OtherLimits {
  readonly memory?: number | undefined;
  readonly memoryReservation?: number | undefined;
  readonly memorySwappiness?: number | undefined;
  readonly nanoCpus?: number | undefined;
  readonly cpuPeriod?: number | undefined;
  readonly cpuQuota?: number | undefined;
  readonly blkioWeight?: number | undefined;
}

export function checkOtherLimits(limits: OtherLimits): void {
  const memory = limits.memory ?? 0;
  const reservation = limits.memoryReservation ?? 0;
  if (reservation > 0 && reservation < MIN_MEMORY)
    throw invalidArgument('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation)
    throw invalidArgument(
      'Minimum memory limit can not be less than memory reservation limit, see usage',
    );
  const swappiness = limits.memorySwappiness;
  if (swappiness !== undefined && swappiness !== -1 && (swappiness < 0 || swappiness > 100))
    throw invalidArgument(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  const nano = limits.nanoCpus ?? 0;
  const period = limits.cpuPeriod ?? 0;
  const quota = limits.cpuQuota ?? 0;
  if (nano > 0 && period > 0)
    throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && quota > 0)
    throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (period !== 0 && (period < 1000 || period > 1_000_000))
    throw invalidArgument(
      'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)',
    );
  if (quota > 0 && quota < 1000)
    throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  const weight = limits.blkioWeight ?? 0;
  if (weight > 0 && (weight < 10 || weight > 1000))
    throw invalidArgument('Range of blkio weight is from 10 to 1000');
}

/** What this host's cgroups can do of the limits Docker drops with a warning otherwise. */
export interface HostLimitSupport {
  readonly blkioWeight: boolean;
  readonly oomKillDisable: boolean;
}

/**
 * The limits as this host can apply them, and Docker's warnings for what it drops (or what is
 * risky: the OOM killer off without a memory limit).
 */
export function applicableLimits<
  T extends {
    readonly blkioWeight?: number;
    readonly oomKillDisable?: boolean;
    readonly memory?: number;
  },
>(limits: T, support: HostLimitSupport): { limits: T; warnings: string[] } {
  const out: T = { ...limits };
  const warnings: string[] = [];
  if (out.blkioWeight && !support.blkioWeight) {
    warnings.push(
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
    );
    delete (out as { blkioWeight?: number }).blkioWeight;
  }
  if (out.oomKillDisable && !support.oomKillDisable) {
    warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    delete (out as { oomKillDisable?: boolean }).oomKillDisable;
  }
  if (out.oomKillDisable && !out.memory)
    warnings.push(
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    );
  return { limits: out, warnings };
}

/** Whether the host's cgroups have a block I/O weight and an OOM killer switch (v1 or v2). */
export function detectHostLimitSupport(
  version: '1' | '2',
  root = '/sys/fs/cgroup',
): HostLimitSupport {
  const has = (f: string): boolean => existsSync(`${root}/${f}`);
  if (version === '2')
    return { blkioWeight: has('io.weight') || has('io.bfq.weight'), oomKillDisable: false };
  return {
    blkioWeight: has('blkio/blkio.weight') || has('blkio/blkio.bfq.weight'),
    oomKillDisable: has('memory/memory.oom_control'),
  };
}
