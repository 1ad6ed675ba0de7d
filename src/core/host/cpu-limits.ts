// The checks Docker makes of --cpus and --cpuset-cpus against the host at create and update,
// with its messages: a quota above the host's CPUs, or CPUs the host does not have, are refused
// then rather than failing at start inside runc.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { invalidArgument } from '../errors.js';

export interface CpuFacts {
  /** CPUs the daemon may run on (Docker's NumCPU). */
  readonly count: number;
  /** The CPUs containers may be pinned to, as the kernel lists them ("0-1"). */
  readonly available: string;
}

/** A kernel CPU list ("0-3,8,10-11") as its members; undefined when it is not one. */
export function parseCpuList(text: string): Set<number> | undefined {
  const out = new Set<number>();
  if (text.trim() === '') return out;
  for (const part of text.trim().split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) return undefined;
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from || to > 8191) return undefined;
    for (let cpu = from; cpu <= to; cpu++) out.add(cpu);
  }
  return out;
}

export function checkCpuLimits(
  limits: { readonly nanoCpus?: number | undefined; readonly cpusetCpus?: string | undefined },
  facts: CpuFacts = hostCpuFacts(),
): void {
  const nano = limits.nanoCpus;
  if (nano !== undefined && nano !== 0) {
    if (nano < 0 || nano > facts.count * 1e9)
      throw invalidArgument(
        `Range of CPUs is from 0.01 to ${facts.count}.00, as there are only ${facts.count} CPUs available`,
      );
  }
  const cpuset = limits.cpusetCpus;
  if (cpuset !== undefined && cpuset !== '') {
    const wanted = parseCpuList(cpuset);
    if (wanted === undefined) throw invalidArgument(`Invalid value ${cpuset} for cpuset cpus`);
    const available = parseCpuList(facts.available) ?? new Set<number>();
    if (![...wanted].every((cpu) => available.has(cpu)))
      throw invalidArgument(
        `Requested CPUs are not available - requested ${cpuset}, available: ${facts.available}`,
      );
  }
}

let cached: CpuFacts | undefined;

/** This host's, read once: cpuset's root list (v1, then v2), else the online CPUs. */
export function hostCpuFacts(): CpuFacts {
  if (cached) return cached;
  let available = '';
  for (const file of [
    '/sys/fs/cgroup/cpuset/cpuset.cpus',
    '/sys/fs/cgroup/cpuset.cpus.effective',
    '/sys/devices/system/cpu/online',
  ]) {
    try {
      available = readFileSync(file, 'utf8').trim();
    } catch {
      continue;
    }
    if (available !== '') break;
  }
  cached = { count: os.availableParallelism(), available };
  return cached;
}
