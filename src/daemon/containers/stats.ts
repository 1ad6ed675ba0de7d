import { cgroupPathsOf } from '../../core/cgroups/cgroup-paths.js';
import { readCgroupStats } from '../../core/cgroups/read.js';
import type { ContainerRecord } from '../../core/containers/container.js';
import type { ResourceSample, StatsReport } from '../../core/containers/stats.js';
import { invalidArgument, isBerthError } from '../../core/errors.js';
import { readNetDev } from '../../core/host/net-dev.js';
import { readSystemCpu } from '../../core/host/system-cpu.js';

export interface ContainerStatsDeps {
  /** Finds a container by ID, name or prefix (a missing one is a 404). */
  readonly resolve: (ref: string) => ContainerRecord;
  /** The host's memory: the limit shown for a container that has none. */
  readonly hostMemory: number;
  /** Between two samples: one second, as Docker. */
  readonly intervalMs?: number;
}

export interface StatsOptions {
  /** One report a second until the client goes away or the container is removed. */
  readonly stream: boolean;
  /** One report at once, without the earlier sample that CPU percentages need. */
  readonly oneShot: boolean;
  readonly signal: AbortSignal;
}

/** Docker's "running" for stats: a paused container still has its processes and cgroup. */
const LIVE = new Set(['running', 'paused']);

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** `docker stats`: samples a running container's cgroups, host CPU time and network counters. */
export class ContainerStats {
  constructor(private readonly deps: ContainerStatsDeps) {}

  /** The container's usage now; undefined when it is not running. */
  async sample(c: ContainerRecord): Promise<ResourceSample | undefined> {
    const pid = c.state.pid;
    if (!LIVE.has(c.state.status) || pid <= 0) return undefined;
    const paths = await cgroupPathsOf(pid);
    if (paths === undefined) return undefined;
    const read = new Date().toISOString();
    const [cgroup, system, interfaces] = await Promise.all([
      readCgroupStats(paths),
      readSystemCpu(),
      // A container on the host's network has no counters of its own (Docker shows none).
      c.host.networkMode === 'host' ? undefined : readNetDev(pid),
    ]);
    // It may have exited while its files were read: then they said nothing about it.
    const now = this.#find(c.id);
    if (now === undefined || !LIVE.has(now.state.status) || now.state.pid !== pid) return undefined;
    const networks = new Map([...(interfaces ?? [])].filter(([name]) => name !== 'lo'));
    const limit = cgroup.memory.limit;
    return {
      read,
      cgroup,
      systemCpuNs: system.totalNs,
      onlineCpus: system.onlineCpus,
      memoryLimit:
        limit === undefined || limit > this.deps.hostMemory ? this.deps.hostMemory : limit,
      networks: networks.size > 0 ? networks : undefined,
    };
  }

  /**
   * The reports of `GET /containers/{id}/stats`. A missing container and bad options throw
   * here, before any report, so that they can still be answered with an error status.
   */
  stats(ref: string, options: StatsOptions): AsyncIterable<StatsReport> {
    const c = this.deps.resolve(ref);
    if (options.stream && options.oneShot)
      throw invalidArgument('cannot have stream=true and one-shot=true');
    return this.#reports(c, options);
  }

  async *#reports(first: ContainerRecord, options: StatsOptions): AsyncGenerator<StatsReport> {
    const { id } = first;
    const { stream, signal } = options;
    if (!stream && !LIVE.has(first.state.status)) {
      yield { id, name: first.name };
      return;
    }
    if (options.oneShot) {
      yield { id, name: first.name, current: await this.sample(first) };
      return;
    }
    const interval = this.deps.intervalMs ?? 1000;
    let previous: ResourceSample | undefined;
    // Without streaming, a first sample only fills `previous`, so CPU percentages can be had.
    let primed = stream;
    // Bounded: a single report takes two rounds; a stream ends with its client (the signal),
    // the container's removal, or the daemon's shutdown (which aborts the signal too).
    while (!signal.aborted) {
      const started = Date.now();
      const c = this.#find(id);
      if (c === undefined) return;
      const current = await this.sample(c);
      if (!primed && current !== undefined) {
        primed = true;
        previous = current;
      } else {
        yield { id, name: c.name, current, previous };
        if (!stream) return;
        previous = current;
      }
      await pause(Math.max(0, interval - (Date.now() - started)), signal);
    }
  }

  #find(id: string): ContainerRecord | undefined {
    try {
      return this.deps.resolve(id);
    } catch (err) {
      if (isBerthError(err, 'not-found')) return undefined;
      throw err;
    }
  }
}
