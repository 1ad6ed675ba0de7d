import { mkdirSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type {
  ContainerRecord,
  ContainerState,
  ContainerUpdate,
} from '../../core/containers/container.js';
import {
  BerthError,
  conflict,
  invalidArgument,
  isBerthError,
  notFound,
  notModified,
} from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import type { StorageDriver } from '../../core/layers/storage-driver.js';
import { effectiveCapabilities } from '../../core/runtime/capabilities.js';
import { checkMemoryLimits } from '../../core/host/resource-limits.js';
import { K8sLogDecoder, type K8sLogRecord } from '../../core/runtime/k8s-log.js';
import { buildOciSpec, tmpfsMount, type NamespaceMode } from '../../core/runtime/oci-spec.js';
import type { Mount } from '../../core/runtime/oci-types.js';
import type { AttachStreams, ResourceUpdate } from '../../core/runtime/conmon-runtime.js';
import { mergeEnv } from '../../core/containers/env.js';
import { checkCpuLimits } from '../../core/host/cpu-limits.js';
import { hostDevices } from '../../core/runtime/host-devices.js';
import { parseSignal } from '../../core/runtime/signal-name.js';
import {
  loadSeccompProfile,
  seccompForContainer,
  type SeccompProfile,
} from '../../core/runtime/seccomp.js';
import { resolveUser } from '../../core/runtime/user.js';
import type { Logger } from '../../lib/logger.js';
import { readAccounts } from './accounts.js';
import type { ContainerService } from './container-service.js';
import type { ContainerNetworking, ContainerVolumes } from './start-parts.js';
import { inodeAt, LogRotator, openLogFiles } from './log-files.js';
import {
  logSettings,
  type LogReadOptions,
  type LogSettings,
} from '../../core/containers/log-config.js';

/** The execution driver's role here (ConmonRuntime satisfies it). */
export interface ContainerRuntime {
  create(o: {
    id: string;
    bundle: string;
    /** The spec written to bundle/config.json, so the runtime need not read it back. */
    spec?: object;
    logPath: string;
    /** The monitor truncates the log past this size: a bound while the daemon is away. */
    logMaxSize?: number;
    tty: boolean;
    openStdin: boolean;
    stdinOnce?: boolean;
    signal?: AbortSignal;
  }): Promise<{ pid: number }>;
  attach(id: string, io: AttachStreams): Promise<void>;
  resize(id: string, rows: number, cols: number): Promise<void>;
  start(id: string): Promise<void>;
  kill(id: string, signal: string | number): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  update(id: string, limits: ResourceUpdate): Promise<void>;
  delete(id: string, opts?: { force?: boolean }): Promise<void>;
  /** Has the monitor reopen the log file (after the rotator moved it away). */
  reopenLog(id: string): Promise<void>;
  state(id: string): Promise<{ status: string; pid: number } | undefined>;
  /** The ids of the containers the runtime holds anything of. */
  list(): Promise<string[]>;
  exitCode(id: string): Promise<number | undefined>;
  waitExit(id: string, signal?: AbortSignal): Promise<number>;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** A client attached with stdin before the container started: connected by start(). */
interface PendingAttach {
  readonly io: AttachStreams;
  /** Connects it once the container is created; resolves when connected (or failed). */
  connect(id: string): Promise<void>;
}

/** How long start() waits for an early attach to connect before it runs the process anyway. */
const ATTACH_CONNECT_MS = 5000;

export interface LifecycleDeps {
  readonly containers: ContainerService;
  readonly driver: StorageDriver;
  readonly runtime: ContainerRuntime;
  readonly events: EventPublisher;
  readonly logger: Logger;
  readonly containerRoot: string;
  readonly bundleRoot: string;
  readonly seccomp?: SeccompProfile;
  /** Why the OCI runtime cannot run containers on this host (crun on hybrid cgroups). */
  readonly runtimeRefusal?: string;
  /** Architectures left out of seccomp filters: the kernel cannot run their system calls. */
  readonly unusableSeccompArches?: readonly string[];
  /** The container's network; without it, `host` or an empty namespace (isolatedNetworking). */
  readonly networking: ContainerNetworking;
  /** The container's volumes and binds; without it, none. */
  readonly volumes?: ContainerVolumes;
  /** The --init binary (a static tini), bound read-only at /sbin/docker-init. */
  readonly initBinary?: string;
  /** The capabilities the daemon itself holds (the most a container can get). */
  readonly availableCapabilities?: readonly string[];
  /** How many times the kernel's OOM killer struck in a cgroup (see core/runtime/oom.ts). */
  readonly oomKills?: (cgroupPath: string) => Promise<number>;
  /** Told when a container's process starts (or is found running) and when it has exited. */
  readonly onRunning?: (id: string) => void;
  readonly onExited?: (id: string) => void;
}

/** Docker's restart back-off: 100 ms, doubled after each restart, at most a minute; reset
 * when the container ran for at least 10 s. */
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 60_000;
const BACKOFF_RESET_AFTER_MS = 10_000;

/** How long stop waits for the stop signal to work, unless told or the container says. */
const DEFAULT_STOP_TIMEOUT_S = 10;

const LIVE = new Set(['running', 'paused', 'restarting']);
/**
 * conmon's own limit on the log (it truncates past it): above the rotator's size, so it only
 * acts while no daemon rotates, and bounds the disk the log takes then.
 */
function monitorLogLimit(settings: LogSettings): number {
  return Math.max(2 * settings.maxSize, settings.maxSize + 1024 * 1024);
}

/** How much of a log file one read takes. */
const LOG_READ_CHUNK = 256 * 1024;
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Whether `signal` is the container's stop signal: any is, when it has none. An image's stop
 * signal that is no signal (never checked at create) is no match.
 */
function isStopSignal(stopSignal: string | undefined, signal: number): boolean {
  if (!stopSignal) return true;
  try {
    return parseSignal(stopSignal) === signal;
  } catch {
    return false;
  }
}

/** The state of a container whose process has just been started (or found started). */
function startedState(status: 'running' | 'paused', pid: number): Partial<ContainerState> {
  return {
    status,
    pid,
    exitCode: 0,
    error: '',
    startedAt: new Date().toISOString(),
    finishedAt: '0001-01-01T00:00:00Z',
  };
}

/**
 * Starts containers through the runtime and follows them to their exit: state, events, the
 * rootfs unmounted, `--rm` honoured. Waiters and log followers are woken on every change.
 */
export class ContainerLifecycle {
  readonly #watchers = new Set<() => void>();
  /** Clean-ups after an exit still under way (see #exited), by container id. */
  readonly #cleaning = new Map<string, Promise<void>>();
  /** Starts under way (a user's or the restart policy's), by container id. */
  readonly #starting = new Map<string, number>();
  /** Log readers per container: `--rm` waits for them to drain before the log goes. */
  readonly #readers = new Map<string, number>();
  /** Exit codes of containers removed after their exit (`--rm`), for `wait?condition=removed`. */
  readonly #lastExit = new Map<string, number>();
  /** Stdin attaches waiting for their container to start (docker run -i attaches first). */
  readonly #pendingAttach = new Map<string, Set<PendingAttach>>();
  /** Restarts waiting out their back-off, and the next delay per container. */
  readonly #restartTimers = new Map<string, NodeJS.Timeout>();
  readonly #backoff = new Map<string, number>();
  /** Starts by the restart policy under way (the container shows `restarting` until done). */
  readonly #policyStarts = new Map<string, Promise<void>>();

  readonly #rotator: LogRotator;

  constructor(private readonly deps: LifecycleDeps) {
    this.#rotator = new LogRotator({
      reopen: (id) => deps.runtime.reopenLog(id),
      logger: deps.logger,
    });
  }

  #logSettings(c: ContainerRecord): LogSettings {
    try {
      return logSettings(c.host.logConfig ?? { type: '', config: {} });
    } catch {
      return logSettings({ type: '', config: {} }); // checked at create; a default if not
    }
  }

  logPath(id: string): string {
    return join(this.deps.containerRoot, id, 'container.log');
  }

  #notify(): void {
    for (const wake of [...this.#watchers]) wake();
  }

  /** Resolves at the next state change (or after `ms`, so every wait stays bounded). */
  #changed(signal: AbortSignal | undefined, ms = 1000): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#watchers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#watchers.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  /** Patches the container's current state (not the possibly older `c`'s). */
  #setState(c: ContainerRecord, patch: Partial<ContainerState>): ContainerRecord {
    const current = this.deps.containers.resolve(c.id).state;
    const updated = this.deps.containers.updateState(c.id, { ...current, ...patch });
    this.#notify();
    return updated;
  }

  /** `docker start`: runs the container; a user's start resets the restart policy's count. */
  async start(ref: string, signal?: AbortSignal): Promise<void> {
    const c = await this.#afterPolicyStart(ref);
    if (c.state.status === 'restarting') this.#cancelRestart(c.id);
    else if (LIVE.has(c.state.status)) throw notModified();
    this.#setState(c, { manuallyStopped: false, restartCount: 0 });
    this.#backoff.delete(c.id);
    await this.#run(c.id, signal);
  }

  /**
   * Starts the container's process. Counted from the call, so that the exit being cleaned up
   * meanwhile (see #exited) knows a start has taken over and leaves the policy alone.
   */
  async #run(id: string, signal?: AbortSignal): Promise<void> {
    this.#starting.set(id, (this.#starting.get(id) ?? 0) + 1);
    try {
      await this.#launch(id, signal);
    } finally {
      const left = (this.#starting.get(id) ?? 1) - 1;
      if (left > 0) this.#starting.set(id, left);
      else this.#starting.delete(id);
    }
  }

  async #launch(id: string, signal?: AbortSignal): Promise<void> {
    await this.settled(id);
    const c = this.deps.containers.resolve(id);
    const dir = join(this.deps.containerRoot, c.id);
    const bundle = join(this.deps.bundleRoot, c.id);
    // The root filesystem and the network do not need each other: both are made at once.
    const [mounted, attached] = await Promise.allSettled([
      this.deps.driver.mount(c.driverId),
      this.deps.networking.attach(c),
    ]);
    if (mounted.status === 'rejected') {
      await this.deps.networking.detach(c).catch(() => undefined);
      throw mounted.reason;
    }
    const rootfs = mounted.value;
    try {
      if (attached.status === 'rejected') throw attached.reason;
      if (this.deps.runtimeRefusal) throw new BerthError('internal', this.deps.runtimeRefusal);
      const net = attached.value;
      const hostname = net.hostname;
      // Made anew at every start, before the runtime binds them: nothing to keep across a
      // crash, so no fsync; and three small files are written sooner synchronously than
      // through the thread pool.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, 'hostname'), `${hostname}\n`, { mode: 0o644 });
      writeFileSync(join(dir, 'hosts'), net.hosts, { mode: 0o644 });
      writeFileSync(join(dir, 'resolv.conf'), net.resolvConf, { mode: 0o644 });
      // Sharing another container's network is sharing its files too, as Docker does.
      const etcDir = net.etcFilesOf ? join(this.deps.containerRoot, net.etcFilesOf) : dir;
      const volumeMounts = (await this.deps.volumes?.mounts(c, rootfs)) ?? [];
      const h = c.host;
      const privileged = h.privileged === true;
      const seccompProfile = h.seccompProfile
        ? loadSeccompProfile(h.seccompProfile)
        : this.deps.seccomp;
      const accounts = readAccounts(rootfs);
      const user = resolveUser(c.config.User ?? '', accounts.passwd, accounts.group, [
        ...(h.groupAdd ?? []),
      ]);
      const capabilities = effectiveCapabilities(
        [...(h.capAdd ?? [])],
        [...(h.capDrop ?? [])],
        privileged,
        this.deps.availableCapabilities,
      );
      const env = mergeEnv(net.env, c.config.Env);
      if (!env.some((e) => e.startsWith('PATH='))) env.unshift(PATH_ENV);
      env.push(`HOSTNAME=${hostname}`);
      if (c.config.Tty) env.push('TERM=xterm');
      if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home || '/'}`);
      const bind = (
        source: string,
        destination: string,
        options = ['rbind', 'rprivate'],
      ): Mount => ({
        destination,
        type: 'bind',
        source,
        options,
      });
      const memory = h.resources?.memory;
      const ipcMode = h.ipcMode ?? '';
      const spec = buildOciSpec({
        id: c.id,
        rootfsPath: rootfs,
        readonlyRootfs: h.readonlyRootfs === true,
        process: {
          args: h.init ? ['/sbin/docker-init', '--', c.path, ...c.args] : [c.path, ...c.args],
          env,
          cwd: c.config.WorkingDir || '/',
          user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
          tty: c.config.Tty === true,
          ...(c.config.Tty && c.host.consoleSize
            ? { consoleSize: { height: c.host.consoleSize[0], width: c.host.consoleSize[1] } }
            : {}),
          noNewPrivileges: h.noNewPrivileges === true,
          capabilities,
          rlimits: [...(h.ulimits ?? [])],
          oomScoreAdj: h.oomScoreAdj ?? 0,
        },
        hostname,
        namespaces: {
          network: net.namespace,
          pid: this.#pidNamespace(c),
          ipc: ipcMode === 'host' ? 'host' : ipcMode === 'none' ? 'none' : 'new',
          uts: h.utsMode === 'host' ? 'host' : net.uts,
          cgroup: h.cgroupnsMode === 'private' ? 'private' : 'host',
        },
        extraMounts: [
          // --ipc host: the host's POSIX shared memory too, as Docker binds it.
          ...(ipcMode === 'host' ? [bind('/dev/shm', '/dev/shm')] : []),
          bind(join(etcDir, 'resolv.conf'), '/etc/resolv.conf'),
          bind(join(etcDir, 'hostname'), '/etc/hostname'),
          bind(join(etcDir, 'hosts'), '/etc/hosts'),
          ...volumeMounts,
          ...Object.entries(h.tmpfs ?? {}).map(([destination, data]) =>
            tmpfsMount(destination, data),
          ),
          ...(h.init
            ? [bind(this.deps.initBinary ?? '/usr/bin/tini', '/sbin/docker-init', ['bind', 'ro'])]
            : []),
        ],
        shmSize: h.shmSize,
        devices: hostDevices(h.devices ?? []),
        sysctls: { ...(net.sysctls ?? {}), ...(h.sysctls ?? {}) },
        resources: {
          ...h.resources,
          // Docker's default: as much swap as memory (MemorySwap = 2 × Memory).
          memorySwap: h.resources?.memorySwap ?? (memory ? memory * 2 : undefined),
        },
        cgroupsPath: `/berth/${c.id}`,
        privileged,
        availableCapabilities: this.deps.availableCapabilities,
        seccomp:
          privileged || h.seccompUnconfined || !seccompProfile
            ? undefined
            : seccompForContainer(seccompProfile, {
                capabilities,
                arch: os.machine(),
                kernelVersion: os.release(),
                unusableArches: this.deps.unusableSeccompArches ?? [],
              }),
      });
      mkdirSync(bundle, { recursive: true, mode: 0o700 });
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      const created = await this.deps.runtime.create({
        id: c.id,
        bundle,
        spec,
        logPath: this.logPath(c.id),
        logMaxSize: monitorLogLimit(this.#logSettings(c)),
        tty: c.config.Tty === true,
        openStdin: c.config.OpenStdin === true,
        stdinOnce: c.config.StdinOnce === true,
        signal,
      });
      const pending = [...(this.#pendingAttach.get(c.id) ?? [])];
      this.#pendingAttach.delete(c.id);
      await Promise.all(pending.map((p) => p.connect(c.id)));
      await this.deps.runtime.start(c.id);
      const running = this.#setState(c, startedState('running', created.pid));
      this.deps.events.publish({
        type: 'container',
        action: 'start',
        actor: { id: c.id, attributes: { image: running.config.Image, name: running.name } },
      });
      this.#follow(c.id);
      this.deps.onRunning?.(c.id);
    } catch (err) {
      await this.#cleanUp(c);
      const message = err instanceof Error ? err.message : String(err);
      // As Docker: the failed start is an exit (127 when the command cannot run), so attach
      // and wait of the run that asked for it end too.
      const code = isBerthError(err, 'invalid-argument') ? 127 : 128;
      this.#setState(this.deps.containers.resolve(c.id), {
        status: 'exited',
        error: message,
        exitCode: code,
        pid: 0,
        finishedAt: new Date().toISOString(),
      });
      if (c.host.autoRemove) {
        this.#rememberExit(c.id, code);
        await this.#removeIfThere(c.id);
        this.#notify();
      }
      throw isBerthError(err)
        ? new BerthError(err.kind === 'invalid-argument' ? 'invalid-argument' : 'internal', message)
        : err;
    }
  }

  /**
   * Attaches `io` to the container's stdio through its monitor: stdin in, output out, from now
   * on (for a container not started yet: from its start, which waits for this to connect).
   * Resolves when the container's process exits; rejects with cancelled when io.signal aborts
   * (a detach).
   */
  async attach(ref: string, io: AttachStreams): Promise<void> {
    const c = this.deps.containers.resolve(ref);
    if (c.state.status === 'running' || c.state.status === 'paused') {
      await this.deps.runtime.attach(c.id, io);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const set = this.#pendingAttach.get(c.id) ?? new Set<PendingAttach>();
      this.#pendingAttach.set(c.id, set);
      const onAbort = (): void => {
        set.delete(pending);
        reject(new BerthError('cancelled', 'detached'));
      };
      const pending: PendingAttach = {
        io,
        connect: (id) =>
          new Promise<void>((connected) => {
            io.signal?.removeEventListener('abort', onAbort);
            const timer = setTimeout(connected, ATTACH_CONNECT_MS);
            this.deps.runtime
              .attach(id, {
                ...io,
                onAttached: () => {
                  clearTimeout(timer);
                  connected();
                },
              })
              .then(resolve, reject)
              .finally(() => {
                clearTimeout(timer);
                connected();
              });
          }),
      };
      set.add(pending);
      io.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A terminal container's window size. */
  async resize(ref: string, rows: number, cols: number): Promise<void> {
    const c = this.deps.containers.resolve(ref);
    if (c.state.status !== 'running' && c.state.status !== 'paused')
      throw conflict(`Container ${c.id} is not running`);
    if (!c.config.Tty) return;
    await this.deps.runtime.resize(c.id, rows, cols);
  }

  /** Resolves once the clean-up after the container's last exit is done (at once if none runs). */
  async settled(id: string): Promise<void> {
    await this.#cleaning.get(id);
  }

  /** The exit code of an `--rm` container, for a `wait?condition=removed` that comes late. */
  #rememberExit(id: string, code: number): void {
    this.#lastExit.set(id, code);
    setTimeout(() => this.#lastExit.delete(id), 60_000).unref();
  }

  /** `--rm`: removes the container unless a concurrent `rm -f` already did. */
  async #removeIfThere(id: string): Promise<void> {
    try {
      await this.deps.containers.remove(id, { force: false, volumes: true });
    } catch (err) {
      if (!isBerthError(err, 'not-found')) throw err;
    }
  }

  /** Waits for the exit in the background, then records it (also for containers found running at start-up). */
  #follow(id: string): void {
    this.#rotator.watch(id, this.logPath(id), this.#logSettings(this.deps.containers.resolve(id)));
    this.deps.runtime
      .waitExit(id)
      .then((code) => this.#exited(id, code))
      .catch((err: unknown) =>
        this.deps.logger.error('lost track of a container', {
          id,
          error: err instanceof Error ? err.message : String(err),
        }),
      );
  }

  async #exited(id: string, code: number): Promise<void> {
    await this.#rotator
      .unwatch(id)
      .catch((err: unknown) =>
        this.deps.logger.warn('log rotation end failed', { id, error: (err as Error).message }),
      );
    let c = this.deps.containers.resolve(id);
    this.deps.onExited?.(id);
    // Before the runtime's clean-up removes the cgroup that counts them.
    const oomKilled = ((await this.deps.oomKills?.(`/berth/${id}`).catch(() => 0)) ?? 0) > 0;
    if (oomKilled)
      this.deps.events.publish({
        type: 'container',
        action: 'oom',
        actor: { id, attributes: { image: c.config.Image, name: c.name } },
      });
    // As Docker: the exit is told first (state, wait, attach, the die event), then the host's
    // side goes (network disconnect and volume unmount events after die); a start or removal
    // of the container meanwhile waits for that (settled()).
    c = this.#setState(c, {
      status: 'exited',
      pid: 0,
      exitCode: code,
      oomKilled,
      finishedAt: new Date().toISOString(),
    });
    this.deps.events.publish({
      type: 'container',
      action: 'die',
      actor: { id, attributes: { exitCode: String(code), image: c.config.Image, name: c.name } },
    });
    if (c.host.autoRemove) {
      await this.#removeAfterExit(c, code);
      return;
    }
    const cleanup = this.#cleanUp(c);
    this.#cleaning.set(id, cleanup);
    try {
      await cleanup;
    } finally {
      if (this.#cleaning.get(id) === cleanup) this.#cleaning.delete(id);
    }
    // Unless a start (or a removal) came meanwhile, and took over: a start is still 'exited'
    // until its process runs, and a user's start has cleared manuallyStopped.
    if (this.#starting.has(id)) return;
    c = this.deps.containers.get(id) ?? c;
    if (!this.deps.containers.get(id) || c.state.status !== 'exited') return;
    if (this.#shouldRestart(c)) this.#scheduleRestart(c);
  }

  /**
   * `--rm`: the container leaves the API (and `wait?condition=removed` is answered) once its
   * network and volumes are given back, as Docker tells them (disconnect and unmount events
   * come between die and destroy), and its log has been read to the end. Its runtime state,
   * rootfs mount, layers and directory go after that answer, in the background: `docker run
   * --rm` does not wait for them, nor share the machine with them on its way out.
   */
  async #removeAfterExit(c: ContainerRecord, code: number): Promise<void> {
    const gone = (async () => {
      await this.#releaseNetworkSide(c);
      const deadline = Date.now() + 5000;
      while ((this.#readers.get(c.id) ?? 0) > 0 && Date.now() < deadline)
        await this.#changed(undefined, 50);
      this.#rememberExit(c.id, code);
      const released = new Promise((next) => setImmediate(next)).then(() =>
        this.#releaseProcessSide(c),
      );
      await this.deps.containers.removeExited(
        c.id,
        released,
        this.#warn(c, 'removing the files of a removed container failed'),
      );
    })();
    this.#cleaning.set(c.id, gone);
    try {
      await gone;
    } finally {
      if (this.#cleaning.get(c.id) === gone) this.#cleaning.delete(c.id);
      this.#notify();
    }
  }

  /**
   * The host's side of a container whose process is gone (it exited, failed to start, or a
   * crash cut its start short): runtime state and cgroups, network and volumes, the rootfs.
   * None needs another, so they go at once; a failure is logged, not thrown.
   */
  async #cleanUp(c: ContainerRecord): Promise<void> {
    await Promise.all([this.#releaseProcessSide(c), this.#releaseNetworkSide(c)]);
  }

  /** The runtime's state and cgroups, and the rootfs mount. */
  async #releaseProcessSide(c: ContainerRecord): Promise<void> {
    await Promise.all([
      this.deps.runtime.delete(c.id, { force: true }).catch(this.#warn(c, 'runtime delete failed')),
      this.deps.driver.unmount(c.driverId).catch(this.#warn(c, 'unmount failed')),
    ]);
  }

  /** The network endpoints, then the volumes. */
  async #releaseNetworkSide(c: ContainerRecord): Promise<void> {
    await this.deps.networking.detach(c).catch(this.#warn(c, 'network detach failed'));
    await this.deps.volumes?.release(c).catch(this.#warn(c, 'volume release failed'));
  }

  #warn(c: ContainerRecord, what: string): (err: unknown) => void {
    return (err) => this.deps.logger.warn(what, { id: c.id, error: (err as Error).message });
  }

  /**
   * Whether the restart policy brings the container back after this exit, or (`atDaemonStart`)
   * when the daemon starts: then only `unless-stopped` minds a stop by the user.
   */
  #shouldRestart(c: ContainerRecord, atDaemonStart = false): boolean {
    if (c.state.manuallyStopped && !atDaemonStart) return false;
    const policy = c.host.restartPolicy;
    switch (policy.name) {
      case 'always':
        return true;
      case 'unless-stopped':
        return !c.state.manuallyStopped;
      case 'on-failure':
        return (
          c.state.exitCode !== 0 &&
          (policy.maximumRetryCount <= 0 || c.state.restartCount < policy.maximumRetryCount)
        );
      default:
        return false;
    }
  }

  /** `--pid`: its own namespace, the host's, or a running container's. */
  #pidNamespace(c: ContainerRecord): NamespaceMode {
    const mode = c.host.pidMode ?? '';
    if (mode === 'host') return 'host';
    const ref = /^container:(.+)$/.exec(mode)?.[1];
    if (ref === undefined) return 'new';
    const other = this.deps.containers.resolve(ref);
    if (
      (other.state.status !== 'running' && other.state.status !== 'paused') ||
      other.state.pid <= 0
    )
      throw conflict(`cannot join PID of a non running container: ${other.id}`);
    return { path: `/proc/${other.state.pid}/ns/pid` };
  }

  /** Restarts after the back-off, as `restarting` meanwhile (the API never waits for it). */
  #scheduleRestart(c: ContainerRecord, options = { counted: true }): void {
    const ran = Date.parse(c.state.finishedAt) - Date.parse(c.state.startedAt);
    if (ran >= BACKOFF_RESET_AFTER_MS) this.#backoff.delete(c.id);
    const delay = this.#backoff.get(c.id) ?? BACKOFF_FIRST_MS;
    this.#backoff.set(c.id, Math.min(delay * 2, BACKOFF_MAX_MS));
    this.#setState(c, { status: 'restarting' });
    this.#cancelRestart(c.id);
    const timer = setTimeout(() => {
      this.#restartTimers.delete(c.id);
      let now: ContainerRecord;
      try {
        now = this.deps.containers.resolve(c.id);
      } catch {
        return; // removed meanwhile
      }
      if (now.state.status !== 'restarting') return;
      if (options.counted) this.#setState(now, { restartCount: now.state.restartCount + 1 });
      const started = this.#run(now.id)
        .catch((err: unknown) =>
          this.deps.logger.warn('restart by policy failed', {
            id: now.id,
            error: err instanceof Error ? err.message : String(err),
          }),
        )
        .finally(() => this.#policyStarts.delete(now.id));
      this.#policyStarts.set(now.id, started);
    }, delay);
    timer.unref();
    this.#restartTimers.set(c.id, timer);
  }

  /**
   * The container, once a start by its restart policy that is under way has ended (running,
   * or exited if it failed): a stop or removal meanwhile would leave that start's sandbox,
   * mount and runtime container to nobody.
   */
  async #afterPolicyStart(ref: string): Promise<ContainerRecord> {
    const c = this.deps.containers.resolve(ref);
    const started = this.#policyStarts.get(c.id);
    if (!started) return c;
    await started;
    return this.deps.containers.resolve(c.id);
  }

  #cancelRestart(id: string): void {
    const timer = this.#restartTimers.get(id);
    if (timer) clearTimeout(timer);
    this.#restartTimers.delete(id);
  }

  /** A container waiting to be restarted, stopped instead: it is exited, as it was. */
  #abandonRestart(c: ContainerRecord, manuallyStopped: boolean): void {
    this.#cancelRestart(c.id);
    this.#setState(c, { status: 'exited', manuallyStopped });
  }

  /** `docker pause`: freezes every process of the container. */
  async pause(ref: string): Promise<void> {
    const c = this.deps.containers.resolve(ref);
    if (c.state.status === 'paused') throw conflict(`Container ${c.id} is already paused`);
    if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`);
    await this.deps.runtime.pause(c.id);
    this.#setState(this.deps.containers.resolve(c.id), { status: 'paused' });
    this.deps.events.publish({
      type: 'container',
      action: 'pause',
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
  }

  /** `docker unpause`. Of a container that is not paused: 500, as Docker 20.10 answers. */
  async unpause(ref: string): Promise<void> {
    const c = this.deps.containers.resolve(ref);
    if (c.state.status !== 'paused')
      throw new BerthError('internal', `Container ${c.id} is not paused`);
    await this.deps.runtime.resume(c.id);
    // Unless it has exited since the thaw, and its exit is recorded.
    const now = this.deps.containers.get(c.id);
    if (now?.state.status === 'paused') this.#setState(now, { status: 'running' });
    this.deps.events.publish({
      type: 'container',
      action: 'unpause',
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
  }

  /** Sends a signal; a paused container is thawed after it, so the signal is delivered. */
  async #signal(c: ContainerRecord, signal: string): Promise<void> {
    await this.deps.runtime.kill(c.id, signal).catch((err: unknown) => {
      // Its process ended just now (its exit is on the way): as Docker, the signal found no
      // one to tell, which is no failure.
      if (!isBerthError(err, 'not-found') && !isBerthError(err, 'conflict')) throw err;
    });
    if (this.deps.containers.resolve(c.id).state.status !== 'paused') return;
    try {
      await this.deps.runtime.resume(c.id);
    } catch (err) {
      // runc thaws a frozen container itself to deliver a SIGKILL (and the process may be
      // gone already): only a container still frozen is a failure.
      const state = await this.deps.runtime.state(c.id).catch(() => undefined);
      if (state?.status === 'paused') throw err;
    }
    // Unless its exit has been recorded meanwhile.
    const now = this.deps.containers.get(c.id);
    if (now?.state.status === 'paused') this.#setState(now, { status: 'running' });
  }

  /**
   * `docker update`: new resource limits and restart policy, kept for later starts and applied
   * at once to a running container (runc update).
   */
  async update(ref: string, change: ContainerUpdate): Promise<void> {
    const c = this.deps.containers.resolve(ref);
    const policy = change.restartPolicy ?? c.host.restartPolicy;
    if (change.restartPolicy && policy.name !== 'no' && c.host.autoRemove)
      throw invalidArgument(
        'Restart policy cannot be updated because AutoRemove is enabled for the container',
      );
    checkCpuLimits(change.resources);
    // Docker's rule: a new memory limit alone must stay below the swap limit in force.
    const before = c.host.resources ?? {};
    const swapInForce = before.memorySwap ?? (before.memory ? before.memory * 2 : 0);
    if (
      change.resources.memory !== undefined &&
      change.resources.memorySwap === undefined &&
      change.resources.memory > swapInForce
    )
      throw invalidArgument(
        `Cannot update container ${c.id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`,
      );
    const resources = { ...c.host.resources, ...change.resources };
    checkMemoryLimits(resources, { update: true });
    if (LIVE.has(c.state.status) && c.state.status !== 'restarting') {
      const r = change.resources;
      const swap =
        r.memorySwap ??
        (r.memory !== undefined ? (c.host.resources?.memorySwap ?? r.memory * 2) : undefined);
      await this.deps.runtime.update(c.id, {
        ...(r.memory !== undefined ? { memory: r.memory } : {}),
        ...(swap !== undefined ? { memorySwap: swap } : {}),
        ...(r.cpuShares !== undefined ? { cpuShares: r.cpuShares } : {}),
        ...(r.nanoCpus !== undefined ? { cpuQuota: Math.round(r.nanoCpus / 10_000) } : {}),
        ...(r.cpusetCpus !== undefined ? { cpusetCpus: r.cpusetCpus } : {}),
        // runc: -1 lifts the limit (0 would leave it as it is).
        ...(r.pidsLimit !== undefined ? { pidsLimit: r.pidsLimit > 0 ? r.pidsLimit : -1 } : {}),
      });
    }
    const document: Record<string, unknown> = { ...c.hostConfigDocument };
    const fields: [keyof typeof resources, string][] = [
      ['memory', 'Memory'],
      ['memorySwap', 'MemorySwap'],
      ['cpuShares', 'CpuShares'],
      ['nanoCpus', 'NanoCpus'],
      ['cpusetCpus', 'CpusetCpus'],
      ['pidsLimit', 'PidsLimit'],
    ];
    for (const [key, name] of fields)
      if (change.resources[key] !== undefined) document[name] = change.resources[key];
    if (change.restartPolicy)
      document['RestartPolicy'] = {
        Name: policy.name,
        MaximumRetryCount: policy.maximumRetryCount,
      };
    this.deps.containers.updateHost(
      c.id,
      { ...c.host, resources, restartPolicy: policy },
      document,
    );
    this.deps.events.publish({
      type: 'container',
      action: 'update',
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
  }

  /** `docker restart`: stop (if it runs), then start. */
  async restart(
    ref: string,
    timeoutSeconds: number | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const c = this.deps.containers.resolve(ref);
    if (LIVE.has(c.state.status)) await this.stop(c.id, timeoutSeconds, signal);
    await this.start(c.id, signal);
    this.deps.events.publish({
      type: 'container',
      action: 'restart',
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
  }

  /**
   * `POST /wait`: not-running (now, if it is not), next-exit (the next die), removed (gone).
   * A container that is already gone for `removed` resolves at once.
   */
  async wait(ref: string, condition: WaitCondition, signal: AbortSignal): Promise<number> {
    const first = this.deps.containers.resolve(ref);
    const id = first.id;
    const finishedBefore = first.state.finishedAt;
    let exitCode = first.state.exitCode;
    for (;;) {
      if (signal.aborted) throw new BerthError('cancelled', 'context canceled');
      let c: ContainerRecord | undefined;
      try {
        c = this.deps.containers.resolve(id);
      } catch (err) {
        if (!isBerthError(err, 'not-found')) throw err;
      }
      if (c === undefined) return this.#lastExit.get(id) ?? exitCode;
      exitCode = c.state.exitCode;
      const live = LIVE.has(c.state.status);
      if (condition === 'not-running' && !live) return exitCode;
      if (condition === 'next-exit' && !live && c.state.finishedAt !== finishedBefore)
        return exitCode;
      await this.#changed(signal);
    }
  }

  /** The records of the container's log, from `offset`; with `follow`, until it stops running. */
  async *logs(ref: string, options: LogReadOptions): AsyncGenerator<K8sLogRecord> {
    const c = this.deps.containers.resolve(ref);
    this.#readers.set(c.id, (this.#readers.get(c.id) ?? 0) + 1);
    const files = await openLogFiles(this.logPath(c.id));
    try {
      yield* this.#read(c.id, files, options);
    } finally {
      await Promise.all(files.map((f) => f.handle.close().catch(() => undefined)));
      const left = (this.#readers.get(c.id) ?? 1) - 1;
      if (left > 0) this.#readers.set(c.id, left);
      else this.#readers.delete(c.id);
      this.#notify();
    }
  }

  /**
   * Reads the log's files in order, then follows the last one. When conmon has moved on to a
   * new file (a rotation, or its own size limit), the old one is complete: it is drained and
   * the new one followed. `files` gets the handles it opens, for the caller to close.
   */
  async *#read(
    id: string,
    files: { handle: FileHandle; ino: number }[],
    options: LogReadOptions,
  ): AsyncGenerator<K8sLogRecord> {
    const path = this.logPath(id);
    const decoder = new K8sLogDecoder();
    const utf8 = new StringDecoder('utf8');
    const buffer = Buffer.alloc(LOG_READ_CHUNK);
    let sawLive = false;
    const finishedAtStart = this.deps.containers.resolve(id).state.finishedAt;
    const running = (): boolean => {
      let now: ContainerRecord;
      try {
        now = this.deps.containers.resolve(id);
      } catch (err) {
        if (isBerthError(err, 'not-found')) return false;
        throw err;
      }
      const live = LIVE.has(now.state.status);
      sawLive ||= live;
      // attach: until a run that happens after it ends (it may attach before start).
      if (options.untilRunEnds)
        return live || (!sawLive && now.state.finishedAt === finishedAtStart);
      return live || now.state.status === 'created';
    };
    let caughtUp = false;
    let index = options.fromEnd ? Math.max(0, files.length - 1) : 0;
    let current = files[index];
    let offset = options.fromEnd && current ? (await current.handle.stat()).size : 0;
    for (;;) {
      const live = running();
      if (!current && files[index]) {
        current = files[index];
        offset = 0;
      }
      if (current) {
        const { bytesRead } = await current.handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead > 0) {
          offset += bytesRead;
          for (const record of decoder.push(utf8.write(buffer.subarray(0, bytesRead))))
            yield record;
          continue;
        }
        if (index < files.length - 1) {
          current = files[++index];
          offset = 0;
          continue;
        }
      }
      // At the end of the newest file held: has conmon started another one?
      const ino = await inodeAt(path);
      if (ino !== undefined && ino !== current?.ino) {
        // conmon writes the new file only after closing the old one: that one is complete.
        // Files rotated past it meanwhile come first, then the new one.
        const opened = await openLogFiles(path);
        const at = opened.findIndex((f) => f.ino === current?.ino);
        await Promise.all(opened.slice(0, at + 1).map((f) => f.handle.close()));
        const newer = opened.slice(at + 1);
        if (newer.length > 0) {
          files.push(...newer);
          // The rest of the current file is read first (index moves on at its end).
          continue;
        }
      }
      if (!options.follow || !live || options.signal.aborted) {
        for (const record of decoder.end()) yield record;
        return;
      }
      if (!caughtUp) {
        caughtUp = true;
        await options.onCaughtUp?.();
      }
      // Woken by the next write or rotation (or a state change: the exit ends the read).
      const waits = new AbortController();
      const stop = (): void => waits.abort();
      options.signal.addEventListener('abort', stop, { once: true });
      await Promise.race([
        this.#changed(waits.signal, 100),
        this.#rotator.nextWrite(id, 100, waits.signal),
      ]);
      waits.abort();
      options.signal.removeEventListener('abort', stop);
    }
  }

  /**
   * StopSignal, then SIGKILL after `timeoutSeconds` (undefined: the container's StopTimeout,
   * or 10); resolves once it has exited.
   */
  async stop(ref: string, timeoutSeconds: number | undefined, signal: AbortSignal): Promise<void> {
    const c = this.#setState(await this.#afterPolicyStart(ref), { manuallyStopped: true });
    if (c.state.status === 'restarting') {
      this.#abandonRestart(c, true);
      this.deps.events.publish({
        type: 'container',
        action: 'stop',
        actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
      });
      return;
    }
    if (!LIVE.has(c.state.status)) throw notModified();
    const finished = c.state.finishedAt;
    const exited = (): boolean => {
      try {
        const now = this.deps.containers.resolve(c.id);
        return !LIVE.has(now.state.status) || now.state.finishedAt !== finished;
      } catch (err) {
        if (isBerthError(err, 'not-found')) return true;
        throw err;
      }
    };
    await this.#signal(c, c.config.StopSignal || 'SIGTERM');
    this.#killed(c, c.config.StopSignal || 'SIGTERM');
    const seconds = timeoutSeconds ?? c.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    const deadline = Date.now() + Math.max(0, seconds) * 1000;
    while (!exited() && Date.now() < deadline && !signal.aborted) await this.#changed(signal, 100);
    if (!exited()) {
      await this.#signal(c, 'SIGKILL');
      this.#killed(c, 'SIGKILL');
      const hard = Date.now() + 10_000;
      while (!exited() && Date.now() < hard && !signal.aborted) await this.#changed(signal, 100);
    }
    this.deps.events.publish({
      type: 'container',
      action: 'stop',
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
  }

  /** `rm -f` of a running container: SIGKILL, then wait (bounded) until its exit is recorded. */
  async killForRemoval(ref: string, signal: AbortSignal): Promise<void> {
    // Being removed: no restart policy may bring it back when the SIGKILL lands.
    const c = this.#setState(await this.#afterPolicyStart(ref), { manuallyStopped: true });
    if (c.state.status === 'restarting') {
      this.#abandonRestart(c, true);
      return;
    }
    if (!LIVE.has(c.state.status)) return;
    await this.#signal(c, 'SIGKILL');
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !signal.aborted) {
      if (!LIVE.has(this.deps.containers.resolve(c.id).state.status)) return;
      await this.#changed(signal, 100);
    }
    throw new BerthError('internal', `container ${c.id} did not exit after SIGKILL`);
  }

  async kill(ref: string, signal: string): Promise<void> {
    let c: ContainerRecord;
    try {
      c = this.deps.containers.resolve(ref);
    } catch (err) {
      if (!isBerthError(err, 'not-found')) throw err;
      throw notFound(`Cannot kill container: ${ref}: ${err.message}`); // Docker's words
    }
    if (!LIVE.has(c.state.status) || c.state.status === 'restarting')
      throw conflict(`Cannot kill container: ${ref}: Container ${c.id} is not running`);
    const number = parseSignal(signal || 'SIGKILL');
    // As Docker: SIGKILL, the container's stop signal, or any signal when it has none, is a
    // stop by the user: the restart policy leaves the exit it causes alone.
    if (number === parseSignal('SIGKILL') || isStopSignal(c.config.StopSignal, number))
      c = this.#setState(c, { manuallyStopped: true });
    await this.#signal(c, signal || 'SIGKILL');
    this.#killed(c, signal || 'SIGKILL');
  }

  /** The `attach` event Docker sends as a client attaches. */
  attached(ref: string): void {
    const c = this.deps.containers.resolve(ref);
    this.deps.events.publish({
      type: 'container',
      action: 'attach',
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
  }

  /** The `kill` event Docker sends for each signal of kill and stop (its number). */
  #killed(c: ContainerRecord, signal: string): void {
    this.deps.events.publish({
      type: 'container',
      action: 'kill',
      actor: {
        id: c.id,
        attributes: { image: c.config.Image, name: c.name, signal: String(parseSignal(signal)) },
      },
    });
  }

  /** Restores the view of containers after a daemon restart: still running, or exited meanwhile. */
  async reconcile(): Promise<void> {
    // A crash between an `--rm`'s removal and its runtime's clean-up leaves state no record
    // refers to (first: the exits found below start removals of their own). A record is made
    // before its runtime state: one made since is not touched.
    for (const id of await this.deps.runtime.list()) {
      if (this.deps.containers.get(id)) continue;
      await this.deps.runtime.delete(id, { force: true }).catch((err: unknown) =>
        this.deps.logger.warn("removing a removed container's runtime state failed", {
          id,
          error: (err as Error).message,
        }),
      );
    }
    for (const c of this.deps.containers.all()) {
      // Restart policies resume: a restart that was pending goes on.
      if (c.state.status === 'restarting') {
        await this.#resumeRestart(c, { counted: true });
        continue;
      }
      // As Docker, a daemon start is a fresh start for the policies: `always` containers run
      // again even if the user stopped them, `unless-stopped` ones unless the user did, and
      // `on-failure` ones that failed with retries left; their count starts again from 0.
      if (c.state.status === 'exited' && this.#shouldRestart(c, true)) {
        const fresh = this.#setState(c, { manuallyStopped: false, restartCount: 0 });
        await this.#resumeRestart(fresh, { counted: false });
        continue;
      }
      if (!LIVE.has(c.state.status)) continue;
      const state = await this.deps.runtime.state(c.id);
      if (state && state.status !== 'stopped') {
        await this.#adoptRootfs(c);
        this.#follow(c.id);
        this.deps.onRunning?.(c.id);
        continue;
      }
      const code = (await this.deps.runtime.exitCode(c.id)) ?? 137;
      await this.#exited(c.id, code);
    }
  }

  /**
   * A running container found at start-up gets its root filesystem mounted on the host again
   * (or its mount, left by a crash, counted): user lookups for exec and its clean-up need it.
   */
  async #adoptRootfs(c: ContainerRecord): Promise<void> {
    await this.deps.driver
      .mount(c.driverId)
      .catch(this.#warn(c, "mounting a running container's root filesystem failed"));
  }

  /**
   * A crash can cut a restart short anywhere: its process may run already (it is kept, as any
   * running container is), or its sandbox, mount or runtime state may be left, in the way of
   * the next start (and of the network's address, the volumes' users).
   */
  async #resumeRestart(c: ContainerRecord, options: { counted: boolean }): Promise<void> {
    const state = await this.deps.runtime.state(c.id).catch(() => undefined);
    if (state?.status === 'running' || state?.status === 'paused') {
      this.#setState(c, startedState(state.status, state.pid));
      await this.#adoptRootfs(c);
      this.#follow(c.id);
      this.deps.onRunning?.(c.id);
      return;
    }
    await this.#cleanUp(c);
    this.#scheduleRestart(c, options);
  }
}
