// The composition root: the only place where the API edge, the engine and the services meet.

import { createHash, randomUUID } from 'node:crypto';
import {
  access,
  constants as fsConstants,
  mkdir,
  readdir,
  readFile,
  rmdir,
} from 'node:fs/promises';
import os from 'node:os';
import { gunzipSync } from 'node:zlib';
import { CgroupAttachWarmup } from '../core/cgroups/attach-warmup.js';
import { LayerPairs } from '../core/containers/layer-pairs.js';
import { InitLayers } from '../core/containers/init-layer.js';
import { runCommand } from '../core/layers/run-command.js';
import { startForkServer, stopForkServer } from '../lib/run-to-completion.js';
import { kernelRunsX32 } from '../core/host/kernel.js';
import { join } from 'node:path';
import { ApiHandler } from '../api/server.js';
import { bindListeners, type BoundListener } from '../api/listeners.js';
import { debugRoutes } from '../api/routes/debug/routes.js';
import { systemRoutes } from '../api/routes/system/routes.js';
import { diskUsageRoutes } from '../api/routes/system/df.js';
import { imageRoutes } from '../api/routes/images/routes.js';
import { registryRoutes } from '../api/routes/registry/routes.js';
import { DistributionService } from './distribution/distribution-service.js';
import { containerRoutes } from '../api/routes/containers/routes.js';
import { ContainerRecords } from '../core/state/container-records.js';
import { ContainerService } from './containers/container-service.js';
import { ContainerLifecycle } from './containers/lifecycle.js';
import { NetworkService } from './networks/network-service.js';
import { ContainerNetworks } from './networks/container-networks.js';
import { IptablesFirewall } from './networks/iptables-firewall.js';
import { PortReservations } from './networks/port-reservations.js';
import { NetworkRecords } from '../core/state/network-records.js';
import { networkRoutes } from '../api/routes/networks/routes.js';
import { containerRunRoutes } from '../api/routes/containers/run-routes.js';
import { execRoutes } from '../api/routes/containers/exec-routes.js';
import { ExecService } from './containers/exec-service.js';
import { oomKills } from '../core/runtime/oom.js';
import { HealthMonitor } from './containers/health-monitor.js';
import { containerCommitRoutes } from '../api/routes/containers/commit-routes.js';
import { commitContainer } from './containers/commit.js';
import { containerChanges, type ContainerLayerDeps } from './containers/diff.js';
import { containerStatsRoutes } from '../api/routes/containers/stats-routes.js';
import { ContainerStats } from './containers/stats.js';
import { ContainerTop } from './containers/top.js';
import { containerArchiveRoutes } from '../api/routes/containers/archive-routes.js';
import { ContainerFiles, visibleMounts } from './containers/container-files.js';
import { ConmonRuntime } from '../core/runtime/conmon-runtime.js';
import { loadSeccompProfile, type SeccompProfile } from '../core/runtime/seccomp.js';
import { capabilitiesInMask } from '../core/runtime/capabilities.js';
import { SECCOMP_PROFILE } from './system/system-service.js';
import { BlobStore } from '../core/content/blob-store.js';
import { createStorageDriver, type StorageDriverName } from '../core/layers/create-driver.js';
import { LayerStore } from '../core/layers/layer-store.js';
import { ImageRecords } from '../core/state/image-records.js';
import { collectGarbage } from './images/garbage-collect.js';
import { ImageIndex } from './images/image-index.js';
import { ImageService } from './images/image-service.js';
import { ImageStore } from './images/image-store.js';
import { hostRefusal } from '../core/host/kernel.js';
import { hasErrno, isBerthError } from '../core/errors.js';
import { detectCgroups, readHostInfo } from '../core/host/host-info.js';
import { detectHostLimitSupport } from '../core/host/resource-limits.js';
import { SqliteStateStore } from '../core/state/sqlite-store.js';
import { buildInfo } from '../lib/build-info.js';
import { FlagError, formatFlagHelp, parseFlags } from '../lib/flags.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { findExecHelper, NativeExec } from '../core/runtime/native-exec.js';
import { sdNotify } from '../lib/sd-notify.js';
import {
  buildDaemonConfig,
  effectiveLogLevel,
  servesPlainTcp,
  type DaemonConfig,
} from './config/daemon-config.js';
import { ConfigError, mergeSettings, reloadableSettings } from './config/load-config.js';
import { DAEMON_FLAGS } from './config/options.js';
import { Engine } from './engine/engine.js';
import { ShutdownHandlers } from './engine/shutdown.js';
import { EventBus } from './events/event-bus.js';
import { acquirePidfile, PidfileError, releasePidfile } from './pidfile.js';
import { probeComponents } from './system/components.js';
import { SystemService } from './system/system-service.js';
import { volumeRoutes } from '../api/routes/volumes/routes.js';
import { VolumeRecords } from '../core/state/volume-records.js';
import { VolumeService } from './volumes/volume-service.js';

const USAGE = `Usage:  berth daemon [OPTIONS]

A self-sufficient runtime for containers: the berth daemon.

Options:
`;

/** Hard cap on a graceful shutdown (S1.5). */
const MAX_SHUTDOWN_MS = 15_000;

export async function runDaemon(argv: readonly string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags(
      [...DAEMON_FLAGS, { name: 'help', short: 'h', type: 'bool', help: 'Print usage' }],
      argv,
    );
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`${err.message}\nSee 'berth daemon --help'.\n`);
    return 2;
  }
  if (flags.values.get('help') === true) {
    process.stdout.write(USAGE + formatFlagHelp(DAEMON_FLAGS) + '\n');
    return 0;
  }
  if (flags.args.length > 0) {
    process.stderr.write(
      `"berth daemon" accepts no arguments, got: ${flags.args.join(' ')}\n\n${USAGE}${formatFlagHelp(DAEMON_FLAGS)}\n`,
    );
    return 2;
  }

  let config: DaemonConfig;
  try {
    config = buildDaemonConfig(mergeSettings(flags));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`berth daemon: ${err.message}\n`);
    return 1;
  }
  const refusal = hostRefusal({
    platform: process.platform,
    uid: process.getuid?.() ?? -1,
    kernel: os.release(),
  });
  if (refusal) {
    process.stderr.write(`berth daemon: ${refusal}\n`);
    return 1;
  }
  if (flags.values.get('validate') === true) {
    process.stdout.write('configuration OK\n');
    return 0;
  }
  return startDaemon(config);
}

async function startDaemon(config: DaemonConfig): Promise<number> {
  const logger = createLogger(config.logLevel);
  const shutdownHandlers = new ShutdownHandlers();
  try {
    await acquirePidfile(config.pidfile);
  } catch (err) {
    if (!(err instanceof PidfileError)) throw err;
    logger.fatal(err.message);
    return 1;
  }
  shutdownHandlers.add('pidfile', () => releasePidfile(config.pidfile));
  // A failure no job caught is a bug to log, never a reason to take every container's API down.
  process.on('unhandledRejection', (err: unknown) => {
    logger.error('unhandled rejection', {
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  });

  let bound: BoundListener[] = [];
  try {
    if (servesPlainTcp(config)) {
      logger.warn(
        'API is accessible on TCP without encryption (--tls=false). Anyone who reaches it has root on this host.',
      );
    }
    await mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
    await mkdir(config.execRoot, { recursive: true, mode: 0o700 });
    // Host programs (mount, runc delete, ip, ...) start through a small fork server: cheaper
    // than forking the daemon for each. Without python3 (or with BERTH_FORK_SERVER=0) they are
    // spawned directly.
    const python = await which('python3');
    if (python.startsWith('/') && process.env['BERTH_FORK_SERVER'] !== '0') {
      startForkServer(python);
      shutdownHandlers.add('fork server', () => stopForkServer());
    }

    const state = SqliteStateStore.open(join(config.dataRoot, 'berth.db'));
    shutdownHandlers.add('state', () => state.close());
    const daemonId = state.initMeta('engine-id', randomUUID());

    const engine = new Engine(logger);
    const events = new EventBus();

    const driver = createStorageDriver(config.storageDriver as StorageDriverName, config.dataRoot);
    await driver.init();
    shutdownHandlers.add('storage driver', () => driver.cleanup());
    const blobs = new BlobStore(join(config.dataRoot, 'blobs'), join(config.dataRoot, 'ingest'));
    await blobs.init();
    const imageRecords = new ImageRecords(state.database);
    const containerRecords = new ContainerRecords(state.database);
    const garbage = await collectGarbage(imageRecords, blobs, driver, containerRecords.driverIds());
    if (garbage.layers + garbage.blobs > 0) {
      logger.info('start-up removed files no record refers to', {
        layers: garbage.layers,
        blobs: garbage.blobs,
      });
    }
    const imageIndex = new ImageIndex(imageRecords, blobs);
    await imageIndex.refresh();
    // Images and containers refer to each other (rmi checks for containers; create resolves
    // images): the image service reads the container service through this late-bound slot.
    const late: { containers?: ContainerService; lifecycle?: ContainerLifecycle } = {};
    const imageStore = new ImageStore(
      imageRecords,
      blobs,
      new LayerStore(driver, blobs),
      imageIndex,
      events,
      logger,
    );
    const images = new ImageService(
      imageStore,
      (imageId) => late.containers?.usingImage(imageId) ?? [],
    );
    const distribution = new DistributionService(imageStore, () => ({
      mirrors: config.registryMirrors,
      insecure: config.insecureRegistries,
      certsDir: config.registryCertsDir,
      maxConcurrentDownloads: config.maxConcurrentDownloads,
      maxConcurrentUploads: config.maxConcurrentUploads,
      maxDownloadAttempts: config.maxDownloadAttempts,
      loopbackOnly: process.env['BERTH_TEST_HOOKS'] === '1',
    }));
    const initLayers = new InitLayers({
      driver,
      templates: join(config.dataRoot, 'init-templates'),
      copy: (from, to) =>
        runCommand('cp', ['-a', '--', `${from}/.`, `${to}/`], { timeoutMs: 30_000 }).then(
          () => undefined,
        ),
    });
    await initLayers.reset();
    const layerPairs = new LayerPairs({
      driver,
      createInitLayer: (id, parent) => initLayers.create(id, parent),
    });
    shutdownHandlers.add('spare container layers', () => layerPairs.close());
    const containerRoot = join(config.dataRoot, 'containers');
    await mkdir(containerRoot, { recursive: true, mode: 0o700 });
    const volumes: VolumeService = new VolumeService({
      records: new VolumeRecords(state.database),
      root: join(config.dataRoot, 'volumes'),
      events,
      logger,
      resolveContainer: (ref): { id: string } => containerService.resolve(ref),
    });
    await volumes.init();
    shutdownHandlers.add('idle volume mounts', () => volumes.unmountIdle());
    const hostResolvConf = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    // The default daemon's devices and chains are berth0 and BERTH-*; any other daemon's
    // (another exec root) carry a tag of their own, so daemons sharing a host never meet.
    const networkTag =
      config.execRoot === '/run/berth'
        ? ''
        : createHash('sha256').update(config.execRoot).digest('hex').slice(0, 6);
    const networkRecords = new NetworkRecords(state.database);
    const firewall = new IptablesFirewall({
      records: networkRecords,
      tag: networkTag,
      enabled: config.iptables,
      icc: config.icc,
      ipMasq: config.ipMasq,
    });
    const hostPorts = new PortReservations();
    const networkBase = {
      records: networkRecords,
      containers: (): ContainerService => containerService,
      events,
      logger,
      settings: config,
      execRoot: config.execRoot,
      hostResolvConf,
      firewall,
      ports: hostPorts,
    };
    const networks = new NetworkService({ ...networkBase, tag: networkTag, containerRoot });
    const containerNetworks = new ContainerNetworks({ ...networkBase, containerRoot });
    const containerService: ContainerService = new ContainerService({
      records: containerRecords,
      driver,
      events,
      resolveImage: (name) => images.resolve(name),
      root: containerRoot,
      logDefaults: { type: config.logDriver, config: config.logOptions },
      limitSupport: detectHostLimitSupport(detectCgroups().version),
      initLayers,
      // vfs layers are full copies of their parents: no spares there.
      ...(driver.name === 'overlay2' ? { layers: layerPairs } : {}),
      settled: (id) => late.lifecycle?.settled(id) ?? Promise.resolve(),
      volumes,
      networks: containerNetworks,
    });
    late.containers = containerService;
    await containerService.removeLeftovers();
    shutdownHandlers.add('networks', () => networks.shutdown());
    await networks.init();
    volumes.forgetOrphans(new Set(containerService.all().map((c) => c.id)));

    const cgroupWarmup = new CgroupAttachWarmup();
    const runtimeRoot = join(config.execRoot, config.defaultRuntime);
    const nativeExec = nativeExecFor(runtimeRoot, logger);
    const runtime = new ConmonRuntime({
      runtimePath: await which(config.defaultRuntime),
      conmonPath: await which('conmon'),
      stateDir: join(config.execRoot, 'containers'),
      runtimeRoot,
      warmCgroupAttach: () => void cgroupWarmup.warm(),
      ...(nativeExec ? { nativeExec } : {}),
    });
    const seccomp = await readSeccompProfile(logger);
    const capabilities = capabilitiesInMask(
      /CapBnd:\s*([0-9a-f]+)/.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? '0',
    );
    const host = readHostInfo();
    const lifecycle = new ContainerLifecycle({
      containers: containerService,
      driver,
      runtime,
      events,
      logger,
      containerRoot,
      bundleRoot: join(config.execRoot, 'bundles'),
      seccomp,
      ...(config.defaultRuntime === 'crun' && host.cgroupHybrid
        ? { runtimeRefusal: CRUN_ON_HYBRID }
        : {}),
      unusableSeccompArches: (await kernelRunsX32Here()) === false ? ['SCMP_ARCH_X32'] : [],
      networking: containerNetworks,
      volumes,
      initBinary: await which('tini-static'),
      availableCapabilities: capabilities,
      oomKills,
      onRunning: (id) => health.watch(id),
      onExited: (id) => health.unwatch(id),
    });
    late.lifecycle = lifecycle;
    const execs = new ExecService({
      containers: containerService,
      runtime,
      events,
      bundleRoot: join(config.execRoot, 'bundles'),
      availableCapabilities: capabilities,
      warmCgroupAttach: () => void cgroupWarmup.warm(),
    });
    const health = new HealthMonitor({
      resolve: (id) => containerService.resolve(id),
      updateState: (id, state) => containerService.updateState(id, state),
      exec: execs,
      events,
      logger,
    });
    // The parent cgroup runc makes for containers (/berth) goes when the daemon stops, if empty
    // (live containers keep it, and that rmdir then fails harmlessly).
    shutdownHandlers.add('container cgroups', () => removeEmptyCgroupParents('berth'));
    // Before that (handlers run last-added first): the files of removed containers, which
    // after an --rm include its runtime state and cgroups.
    shutdownHandlers.add('container directories', () => containerService.drain());
    // Containers that ran while the daemon was away: follow the live ones, record the exits.
    void lifecycle
      .reconcile()
      .catch((err: unknown) =>
        logger.error('reconciling containers failed', { error: (err as Error).message }),
      );
    const build = buildInfo();
    const components = await probeComponents();
    const system = new SystemService({
      config,
      host,
      build,
      daemonId,
      components,
      counts: () => ({
        ...containerService.counts(),
        images: images.count(),
      }),
      storageStatus: () => driver.status(),
      activeJobs: () => engine.active().length,
      eventListeners: () => events.subscriberCount,
    });
    if (config.defaultRuntime === 'crun' && host.cgroupHybrid) {
      logger.warn(`${CRUN_ON_HYBRID}; containers will not start`);
    }

    const containerLayers: ContainerLayerDeps = {
      resolve: (ref) => containerService.resolve(ref),
      driver,
      imageTopLayer: (imageId) => images.resolve(imageId).layers.at(-1)?.driverId,
    };
    const containerTop = new ContainerTop({
      resolve: (ref) => containerService.resolve(ref),
      events,
    });
    const containerStats = new ContainerStats({
      resolve: (ref) => containerService.resolve(ref),
      hostMemory: os.totalmem(),
    });

    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    const routes = [
      ...systemRoutes({ system, events, engine }),
      ...imageRoutes(images, distribution),
      ...registryRoutes(distribution),
      ...diskUsageRoutes(images, volumes, {
        list: (o) => containerService.list(o),
        sizes: (c) => containerService.sizes(c),
        network: (c) => containerNetworks.containerView(c),
        mountsOf: (id) => volumes.mountsOf(id),
      }),
      ...volumeRoutes(volumes),
      ...containerRoutes({
        driverName: driver.name,
        containerRoot,
        execIds: (id) => execs.idsOf(id),
        graphDriverData: (c) => {
          try {
            return driver.metadata(c.driverId);
          } catch {
            return null; // a layer removed while being read
          }
        },
        mountsOf: (id) => volumes.mountsOf(id),
        network: (c) => containerNetworks.containerView(c),
        create: (r) => containerService.create(r),
        resolve: (ref) => containerService.resolve(ref),
        list: (o) => containerService.list(o),
        rename: (ref, name) => containerService.rename(ref, name),
        remove: async (ref, o) => {
          if (!o.force) return containerService.remove(ref, o);
          const id = containerService.resolve(ref).id;
          await lifecycle.killForRemoval(id, AbortSignal.timeout(20_000));
          try {
            await containerService.remove(id, o);
          } catch (err) {
            // A --rm container removes itself when killed: then it is gone already, as asked.
            if (!isBerthError(err, 'not-found')) throw err;
          }
        },
        prune: (f) => containerService.prune(f),
        sizes: (c) => containerService.sizes(c),
      }),
      ...containerRunRoutes({
        resolve: (ref) => containerService.resolve(ref),
        start: (ref, signal) => lifecycle.start(ref, signal),
        stop: (ref, t, signal) => lifecycle.stop(ref, t, signal),
        kill: (ref, signal) => lifecycle.kill(ref, signal),
        restart: (ref, t, signal) => lifecycle.restart(ref, t, signal),
        pause: (ref) => lifecycle.pause(ref),
        update: (ref, change) => lifecycle.update(ref, change),
        unpause: (ref) => lifecycle.unpause(ref),
        wait: (ref, condition, signal) => lifecycle.wait(ref, condition, signal),
        logs: (ref, options) => lifecycle.logs(ref, options),
        attach: (ref, io) => lifecycle.attach(ref, io),
        attached: (ref) => lifecycle.attached(ref),
        resize: (ref, rows, cols) => lifecycle.resize(ref, rows, cols),
      }),
      ...execRoutes(execs),
      ...networkRoutes(networks),
      ...containerCommitRoutes({
        changes: (ref, signal) => containerChanges(containerLayers, ref, signal),
        commit: (request) =>
          commitContainer(
            {
              ...containerLayers,
              images,
              events,
              // Seen as a pause by inspect and events while it lasts, as Docker's commit is.
              pause: (id) => lifecycle.pause(id),
              unpause: (id) => lifecycle.unpause(id),
            },
            request,
          ),
      }),
      ...containerStatsRoutes({
        top: (ref, psArgs, signal) => containerTop.top(ref, psArgs, signal),
        stats: (ref, options) => containerStats.stats(ref, options),
      }),
      ...containerArchiveRoutes(
        new ContainerFiles({
          resolve: (ref) => containerService.resolve(ref),
          mounts: (c) => {
            // --network container:<other> sees the other container's /etc files.
            const shared = /^container:(.+)$/.exec(c.host.networkMode)?.[1];
            let owner = c.id;
            try {
              if (shared) owner = containerService.resolve(shared).id;
            } catch {
              // that container is gone: its files too
            }
            return visibleMounts(volumes.mountsOf(c.id), join(containerRoot, owner));
          },
          driver,
          events,
          logger,
        }),
      ),
    ];
    if (process.env['BERTH_TEST_HOOKS'] === '1') routes.push(...debugRoutes());
    const api = new ApiHandler({
      logger,
      jobs: engine,
      routes,
      ready,
      serverHeader: `Berth/${build.version} (linux)`,
      experimental: config.experimental,
      corsHeader: config.corsHeader || undefined,
    });

    const serveApi = engine.register<void, BoundListener[]>({
      name: 'serveapi',
      handler: async () =>
        bindListeners({ hosts: config.hosts, tls: config.tls, socketGroup: config.group, logger }),
    });
    bound = await serveApi.run();
    for (const b of bound) {
      api.attach(b.server);
      shutdownHandlers.add(`listener ${b.address}`, () => b.cleanup());
    }

    const acceptConnections = engine.register<void, void>({
      name: 'acceptconnections',
      handler: async () => {
        try {
          await sdNotify('READY=1');
        } catch (err) {
          logger.warn('could not notify systemd', { error: (err as Error).message });
        }
        markReady();
      },
    });
    await acceptConnections.run();
    for (const b of bound) logger.info('API listen on ' + b.address);
    logger.info('Daemon has completed initialization', {
      version: build.version,
      dataRoot: config.dataRoot,
    });

    installSignalHandlers({ config, logger, engine, api, events, shutdownHandlers, daemonId });
    return await new Promise<number>(() => undefined);
  } catch (err) {
    logger.fatal(`failed to start daemon: ${(err as Error).message}`);
    for (const b of bound) b.server.close();
    await shutdownHandlers.runAll(logger);
    return 1;
  }
}

async function removeEmptyCgroupParents(name: string): Promise<void> {
  const root = '/sys/fs/cgroup';
  const hierarchies = await readdir(root).catch((err: unknown) =>
    hasErrno(err, 'ENOENT') ? [] : Promise.reject(err),
  );
  for (const h of hierarchies) {
    await rmdir(join(root, h, name)).catch((err: unknown) => {
      if (!hasErrno(err, 'ENOENT', 'ENOTEMPTY', 'EBUSY', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS'))
        throw err;
    });
  }
}

/** A command's path on PATH (runc, crun, conmon). */
/**
 * berth-exec for `docker exec` without a terminal (native-exec.ts), unless it was not built or
 * BERTH_NATIVE_EXEC=0 asks for runc exec throughout.
 */
function nativeExecFor(runtimeRoot: string, logger: Logger): NativeExec | undefined {
  if (process.env['BERTH_NATIVE_EXEC'] === '0') return undefined;
  const helperPath = findExecHelper();
  if (helperPath === undefined) {
    logger.warn('berth-exec is not built (needs gcc and libseccomp-dev): exec goes through runc');
    return undefined;
  }
  return new NativeExec({ helperPath, runtimeRoot });
}

async function which(command: string): Promise<string> {
  for (const dir of (
    process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  ).split(':')) {
    const path = join(dir, command);
    try {
      await access(path, fsConstants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  return command;
}

/** Whether this kernel runs x32 system calls, from its config (undefined when unknown). */
async function kernelRunsX32Here(): Promise<boolean | undefined> {
  const config = await readFile('/proc/config.gz')
    .then((gz) => gunzipSync(gz).toString('utf8'))
    .catch(() => readFile(`/boot/config-${os.release()}`, 'utf8'))
    .catch(() => undefined);
  const cmdline = await readFile('/proc/cmdline', 'utf8').catch(() => '');
  return kernelRunsX32(config, cmdline);
}

const CRUN_ON_HYBRID =
  'crun refuses hybrid cgroup hosts (cgroup v1 controllers beside a v2 mount) like this one: start the daemon with --default-runtime=runc';

async function readSeccompProfile(logger: Logger): Promise<SeccompProfile | undefined> {
  try {
    return loadSeccompProfile(await readFile(SECCOMP_PROFILE, 'utf8'));
  } catch (err) {
    logger.warn('no seccomp profile: containers run unconfined', {
      path: SECCOMP_PROFILE,
      error: (err as Error).message,
    });
    return undefined;
  }
}

interface SignalDeps {
  readonly config: DaemonConfig;
  readonly logger: Logger;
  readonly engine: Engine;
  readonly api: ApiHandler;
  readonly events: EventBus;
  readonly shutdownHandlers: ShutdownHandlers;
  readonly daemonId: string;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

function installSignalHandlers(deps: SignalDeps): void {
  const { logger, engine, api, shutdownHandlers, config } = deps;
  let shuttingDown = false;

  const gracefulShutdown = async (signal: string): Promise<void> => {
    logger.info(`Processing signal '${signal}'`);
    api.stopListening();
    await sdNotify('STOPPING=1').catch(() => false);
    const timeout = Math.min(config.shutdownTimeoutSeconds * 1000, MAX_SHUTDOWN_MS);
    const drained = await engine.drain(timeout);
    if (drained.abandoned > 0)
      logger.warn('gave up waiting for jobs', { abandoned: drained.abandoned });
    logger.info('jobs drained', { waitedFor: drained.waitedFor });
    api.closeAll();
    await shutdownHandlers.runAll(logger);
    logger.info('Daemon shutdown complete');
    process.exit(0);
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (shuttingDown) {
        logger.warn(`Forcing berth daemon shutdown without cleanup (second ${signal})`);
        process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
      }
      shuttingDown = true;
      void gracefulShutdown(signal);
    });
  }

  process.on('SIGQUIT', () => {
    const jobs = engine.active();
    const lines = jobs.map(
      (j) =>
        `  job ${j.name} id=${j.id} kind=${j.kind} status=${j.status} since=${j.startedAt}` +
        j.log.map((l) => `\n    ${l}`).join(''),
    );
    logger.error(
      `SIGQUIT received: dump of ${jobs.length} active job(s), ${deps.events.subscriberCount} event subscriber(s)\n` +
        lines.join('\n'),
    );
    process.exit(128 + 3);
  });

  process.on('SIGHUP', () => {
    try {
      const changed = reloadableSettings(config.configFile);
      const level = changed.get('log-level') as string | undefined;
      const debug = changed.get('debug') as boolean | undefined;
      if (level !== undefined || debug !== undefined) {
        config.logLevel = effectiveLogLevel(level ?? 'info', debug ?? false);
        logger.level = config.logLevel;
      }
      const list = (k: string): string[] | undefined => changed.get(k) as string[] | undefined;
      const int = (k: string): number | undefined => changed.get(k) as number | undefined;
      config.registryMirrors = list('registry-mirror') ?? config.registryMirrors;
      config.insecureRegistries = list('insecure-registry') ?? config.insecureRegistries;
      config.labels = list('label') ?? config.labels;
      config.maxConcurrentDownloads =
        int('max-concurrent-downloads') ?? config.maxConcurrentDownloads;
      config.maxConcurrentUploads = int('max-concurrent-uploads') ?? config.maxConcurrentUploads;
      config.maxDownloadAttempts = int('max-download-attempts') ?? config.maxDownloadAttempts;
      config.shutdownTimeoutSeconds = int('shutdown-timeout') ?? config.shutdownTimeoutSeconds;
      config.liveRestore =
        (changed.get('live-restore') as boolean | undefined) ?? config.liveRestore;
      const runtime = changed.get('default-runtime') as string | undefined;
      if (runtime !== undefined) config.defaultRuntime = runtime;
      deps.events.publish({
        type: 'daemon',
        action: 'reload',
        actor: {
          id: deps.daemonId,
          attributes: {
            name: os.hostname(),
            'log-level': config.logLevel,
            debug: String(config.logLevel === 'debug'),
            labels: JSON.stringify(config.labels),
            'registry-mirrors': JSON.stringify(config.registryMirrors),
            'insecure-registries': JSON.stringify(config.insecureRegistries),
            'max-concurrent-downloads': String(config.maxConcurrentDownloads),
            'max-concurrent-uploads': String(config.maxConcurrentUploads),
            'max-download-attempts': String(config.maxDownloadAttempts),
            'default-runtime': config.defaultRuntime,
            'live-restore': String(config.liveRestore),
            'shutdown-timeout': String(config.shutdownTimeoutSeconds),
          },
        },
      });
      logger.info('Reloaded configuration', { file: config.configFile, logLevel: config.logLevel });
    } catch (err) {
      logger.error('Error reconfiguring the daemon', { error: (err as Error).message });
    }
  });
}
