import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  initialState,
  type ContainerConfig,
  type ContainerRecord,
  type ContainerState,
  type CreateRequest,
  type HostSettings,
} from '../../core/containers/container.js';
import type { LayerPairs } from '../../core/containers/layer-pairs.js';
import { createInitLayer, initLayerId, type InitLayers } from '../../core/containers/init-layer.js';
import { generateName, VALID_NAME } from '../../core/containers/names.js';
import { mergeHealthcheck } from '../../core/containers/health.js';
import { imageAndRequestEnv } from '../../core/containers/env.js';
import { withHostConfigDefaults } from '../../core/containers/host-config-defaults.js';
import { checkCpuLimits } from '../../core/host/cpu-limits.js';
import { applicableLimits, type HostLimitSupport } from '../../core/host/resource-limits.js';
import { logSettings, mergeLogConfig, type LogConfig } from '../../core/containers/log-config.js';
import {
  BerthError,
  conflict,
  hasErrno,
  invalidArgument,
  isBerthError,
  notFound,
} from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import {
  checkFilterKeys,
  matchesLabels,
  matchesPruneLabels,
  pruneCutoff,
  type FilterArgs,
} from '../../core/filters.js';
import type { ImageEntry } from '../../core/images/image-views.js';
import { familiarString, parseReference } from '../../core/images/reference.js';
import type { StorageDriver } from '../../core/layers/storage-driver.js';
import type { ContainerRecords } from '../../core/state/container-records.js';
import type { ObjectCounts } from '../../core/system.js';
import type { MountPoint } from '../../core/volumes/mount-spec.js';
import { writableLayerParent } from './diff.js';

export interface ContainerServiceDeps {
  readonly records: ContainerRecords;
  readonly driver: StorageDriver;
  readonly events: EventPublisher;
  /** Finds an image for create (a missing one is a 404, so the Docker CLI pulls it). */
  readonly resolveImage: (name: string) => ImageEntry;
  /** Where each container's files live (`<data-root>/containers`). */
  readonly root: string;
  /** Makes init layers from templates (without it: each through a mount). */
  readonly initLayers?: InitLayers;
  /** Waits for the clean-up after the container's exit, if one runs (ContainerLifecycle.settled). */
  readonly settled?: (id: string) => Promise<void>;
  /** Makes each container's layers, with a pair made ahead per image (see layer-pairs.ts). */
  readonly layers?: LayerPairs;
  /** What the host's cgroups can do of the limits Docker drops with a warning otherwise. */
  readonly limitSupport?: HostLimitSupport;
  /** The daemon's --log-driver and --log-opt, filled into each container's LogConfig. */
  readonly logDefaults?: LogConfig;
  /** The volume service's part in create and remove; without it, no mounts. */
  readonly volumes?: ContainerVolumeClaims;
  /** Checks the request's networks (404 for a missing one) and records the new container's. */
  readonly networks?: {
    checkCreate(request: CreateRequest): void;
    added(record: ContainerRecord): void;
    /** Whether the container is on a network named by name or ID (ps --filter network=). */
    isOn(record: ContainerRecord, network: string): boolean;
  };
}

export interface ContainerSizes {
  readonly rw: number;
  readonly rootFs: number;
}

/** What create and remove need from the volume service: claim a new container's mounts, give them back. */
export interface ContainerVolumeClaims {
  claim(containerId: string, request: MountRequest): Promise<unknown>;
  unclaim(containerId: string, options: { removeAnonymous: boolean }): Promise<void>;
  mountsOf(containerId: string): readonly MountPoint[];
}

/** The mount-related parts of a create request, as the volume service takes them. */
export interface MountRequest {
  readonly volumes: readonly string[];
  readonly binds: readonly string[];
  readonly mounts: readonly unknown[];
  readonly volumesFrom: readonly string[];
  readonly tmpfs: readonly string[];
}

const LIST_FILTERS = [
  'id',
  'name',
  'label',
  'status',
  'ancestor',
  'before',
  'since',
  'exited',
  'volume',
  'network',
  'health',
  'publish',
  'expose',
  'is-task',
];
const PRUNE_FILTERS = ['label', 'label!', 'until'];
/** Removed containers' directories, renamed away and deleted in the background. */
const GONE_PREFIX = '.gone-';

/** The containers jobs that need no runtime: create, list, inspect, rename, remove, prune. */
export class ContainerService {
  readonly #byId = new Map<string, ContainerRecord>();
  readonly #deleting = new Set<Promise<void>>();

  constructor(private readonly deps: ContainerServiceDeps) {
    for (const c of deps.records.all()) this.#byId.set(c.id, c);
  }

  /**
   * A removed container's directory (its logs, of any size) is renamed away at once and
   * deleted in the background; what a crash left of such deletions goes at start-up.
   */
  #discardDir(id: string): void {
    const gone = join(this.deps.root, `${GONE_PREFIX}${id}`);
    try {
      renameSync(join(this.deps.root, id), gone);
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return;
      throw err;
    }
    const deleting = rm(gone, { recursive: true, force: true })
      .catch(() => undefined) // removeLeftovers() takes it at the next start
      .finally(() => this.#deleting.delete(deleting));
    this.#deleting.add(deleting);
  }

  /** Deletes what removals a crash cut short left (start-up). */
  async removeLeftovers(): Promise<void> {
    for (const name of await readdir(this.deps.root)) {
      // A directory no record refers to: a crash came between an `--rm`'s removal and its files'.
      const orphan = /^[0-9a-f]{64}$/.test(name) && !this.#byId.has(name);
      if (name.startsWith(GONE_PREFIX) || orphan)
        await rm(join(this.deps.root, name), { recursive: true, force: true });
    }
  }

  /** Waits for the background deletions (shutdown). */
  async drain(): Promise<void> {
    await Promise.all(this.#deleting);
  }

  all(): ContainerRecord[] {
    return [...this.#byId.values()];
  }

  counts(): Pick<
    ObjectCounts,
    'containers' | 'containersRunning' | 'containersPaused' | 'containersStopped'
  > {
    const all = this.all();
    const running = all.filter(
      (c) => c.state.status === 'running' || c.state.status === 'restarting',
    ).length;
    const paused = all.filter((c) => c.state.status === 'paused').length;
    return {
      containers: all.length,
      containersRunning: running,
      containersPaused: paused,
      containersStopped: all.length - running - paused,
    };
  }

  /** IDs of the containers created from an image (rmi refuses to delete it under them). */
  usingImage(imageId: string): string[] {
    return this.all()
      .filter((c) => c.imageId === imageId)
      .map((c) => c.id);
  }

  driverIds(): Set<string> {
    return new Set(this.all().flatMap((c) => [c.driverId, initLayerId(c.driverId)]));
  }

  /** By full ID only; undefined when there is none. */
  get(id: string): ContainerRecord | undefined {
    return this.#byId.get(id);
  }

  /** By full ID, by name (with or without the leading `/`), or by unique ID prefix. */
  resolve(ref: string): ContainerRecord {
    const exact = this.#byId.get(ref);
    if (exact) return exact;
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    const byName = this.all().find((c) => c.name === name);
    if (byName) return byName;
    if (/^[0-9a-f]+$/.test(ref)) {
      const matches = this.all().filter((c) => c.id.startsWith(ref));
      if (matches.length === 1) return matches[0] as ContainerRecord;
      if (matches.length > 1)
        throw invalidArgument(`multiple IDs found with provided prefix: ${ref}`);
    }
    throw notFound(`No such container: ${ref}`);
  }

  async create(asked: CreateRequest): Promise<{ id: string; warnings: string[] }> {
    checkCpuLimits(asked.host.resources ?? {});
    // What this host cannot limit is dropped, with Docker's warning.
    const { limits, warnings } = applicableLimits(
      asked.host.resources ?? {},
      this.deps.limitSupport ?? { blkioWeight: true, oomKillDisable: true },
    );
    const request: CreateRequest = { ...asked, host: { ...asked.host, resources: limits } };
    let image: ImageEntry;
    try {
      image = this.deps.resolveImage(request.image);
    } catch (err) {
      if (isBerthError(err, 'not-found')) {
        let shown = request.image;
        try {
          shown = familiarString(parseReference(request.image));
        } catch (parseErr) {
          if (!isBerthError(parseErr, 'invalid-argument')) throw parseErr;
        }
        throw notFound(`No such image: ${shown}`);
      }
      throw err;
    }
    let name = request.name;
    if (name !== undefined && name !== '') {
      if (!VALID_NAME.test(name)) {
        throw invalidArgument(
          `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
        );
      }
      name = name.replace(/^\//, '');
      const holder = this.all().find((c) => c.name === name);
      if (holder) {
        throw conflict(
          `Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
    } else {
      name = generateName((n) => this.all().some((c) => c.name === n));
    }

    const logConfig = mergeLogConfig(
      request.host.logConfig,
      this.deps.logDefaults ?? { type: '', config: {} },
    );
    logSettings(logConfig);
    this.deps.networks?.checkCreate(request);
    const defaults = image.config.config ?? {};
    const req = request.config;
    // Docker's merge: an entrypoint of the request's own drops the image's Cmd too; [""]
    // (`--entrypoint ''`) then means none at all.
    const requestCmd = req.Cmd && req.Cmd.length > 0 ? req.Cmd : null;
    let entrypoint = req.Entrypoint ?? null;
    let cmd = requestCmd;
    if (entrypoint === null || entrypoint.length === 0) {
      cmd ??= defaults.Cmd ?? null;
      entrypoint ??= defaults.Entrypoint ?? null;
    }
    if (entrypoint?.length === 1 && entrypoint[0] === '') entrypoint = null;
    const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
    if (argv.length === 0) throw invalidArgument('No command specified');
    const id = randomBytes(32).toString('hex');
    const config: ContainerConfig = {
      ...defaults,
      ...Object.fromEntries(
        Object.entries(req).filter(([, v]) => v !== undefined && v !== null && v !== ''),
      ),
      Hostname: req.Hostname || id.slice(0, 12),
      Env: imageAndRequestEnv(defaults.Env, req.Env),
      Cmd: cmd,
      Entrypoint: entrypoint,
      Labels: { ...(defaults.Labels ?? {}), ...(req.Labels ?? {}) },
      // As Docker shows them when empty: no ExposedPorts, and Volumes null.
      ExposedPorts: orUndefined({ ...(defaults.ExposedPorts ?? {}), ...(req.ExposedPorts ?? {}) }),
      Volumes: orUndefined({ ...(defaults.Volumes ?? {}), ...(req.Volumes ?? {}) }) ?? null,
      WorkingDir: req.WorkingDir || defaults.WorkingDir || '',
      User: req.User || defaults.User || '',
      Healthcheck: mergeHealthcheck(defaults.Healthcheck, req.Healthcheck) ?? null,
      Image: request.image,
    };
    await this.deps.volumes?.claim(id, {
      volumes: Object.keys(config.Volumes ?? {}),
      binds: request.host.binds ?? [],
      mounts: request.host.mounts ?? [],
      volumesFrom: request.host.volumesFrom ?? [],
      tmpfs: Object.keys(request.host.tmpfs ?? {}),
    });
    let driverId: string;
    try {
      driverId = await this.#makeLayers(image.layers.at(-1)?.driverId);
    } catch (err) {
      await this.deps.volumes?.unclaim(id, { removeAnonymous: true });
      throw err;
    }
    const initId = initLayerId(driverId);
    const record: ContainerRecord = {
      id,
      name,
      imageId: image.id,
      driverId,
      created: new Date().toISOString(),
      path: argv[0] as string,
      args: argv.slice(1),
      config,
      host: { ...request.host, logConfig },
      hostConfigDocument: {
        ...withHostConfigDefaults(request.hostConfigDocument),
        LogConfig: { Type: logConfig.type, Config: logConfig.config },
      },
      state: initialState(),
    };
    try {
      await mkdir(join(this.deps.root, id), { recursive: true, mode: 0o700 });
      this.deps.records.insert(record);
      this.deps.networks?.added(record);
    } catch (err) {
      this.deps.records.delete(id);
      await this.deps.driver.remove(driverId);
      await this.deps.driver.remove(initId);
      await rm(join(this.deps.root, id), { recursive: true, force: true });
      await this.deps.volumes?.unclaim(id, { removeAnonymous: true });
      throw err;
    }
    this.#byId.set(id, record);
    this.deps.events.publish({
      type: 'container',
      action: 'create',
      actor: { id, attributes: { image: request.image, name, ...(config.Labels ?? {}) } },
    });
    return { id, warnings };
  }

  /** The container's writable layer on its init layer on `parent`; returns its driver id. */
  async #makeLayers(parent: string | undefined): Promise<string> {
    if (this.deps.layers) return this.deps.layers.make(parent);
    const driverId = randomBytes(16).toString('hex');
    const initId = initLayerId(driverId);
    await (this.deps.initLayers
      ? this.deps.initLayers.create(initId, parent)
      : createInitLayer(this.deps.driver, initId, parent));
    try {
      await this.deps.driver.create(driverId, initId);
    } catch (err) {
      await this.deps.driver.remove(initId);
      throw err;
    }
    return driverId;
  }

  list(options: { all: boolean; limit: number; filters: FilterArgs }): ContainerRecord[] {
    const { filters } = options;
    checkFilterKeys(filters, LIST_FILTERS);
    const statuses = filters.get('status') ?? [];
    const names = filters.get('name') ?? [];
    const ids = filters.get('id') ?? [];
    const ancestors = filters.get('ancestor') ?? [];
    const health = filters.get('health') ?? [];
    const networks = filters.get('network') ?? [];
    for (const h of health)
      if (!['starting', 'healthy', 'unhealthy', 'none'].includes(h))
        throw invalidArgument(`Unrecognised filter value for health: ${h}`);
    const exited = (filters.get('exited') ?? []).map((v) => {
      if (!/^-?\d+$/.test(v)) throw invalidArgument(`strconv.Atoi: parsing "${v}": invalid syntax`);
      return Number(v);
    });
    const createdBound = (key: 'before' | 'since'): string | undefined => {
      const ref = filters.get(key)?.[0];
      return ref === undefined ? undefined : this.resolve(ref).created;
    };
    const before = createdBound('before');
    const since = createdBound('since');
    const isTask = filters.get('is-task') ?? [];
    let list = this.all()
      .filter(
        (c) =>
          options.all ||
          statuses.length > 0 ||
          c.state.status === 'running' ||
          c.state.status === 'paused' ||
          c.state.status === 'restarting',
      )
      .filter((c) => statuses.length === 0 || statuses.includes(c.state.status))
      .filter((c) => names.length === 0 || names.some((n) => new RegExp(n).test(`/${c.name}`)))
      .filter((c) => ids.length === 0 || ids.some((i) => c.id.startsWith(i)))
      .filter((c) => matchesLabels(filters.get('label'), c.config.Labels ?? {}))
      .filter((c) => health.length === 0 || health.includes(c.state.health?.Status ?? 'none'))
      .filter(
        (c) =>
          exited.length === 0 ||
          (['exited', 'dead'].includes(c.state.status) && exited.includes(c.state.exitCode)),
      )
      .filter((c) => before === undefined || c.created < before)
      .filter((c) => since === undefined || c.created > since)
      .filter(() => isTask.length === 0 || isTask.includes('false')) // no swarm tasks here
      .filter((c) => this.#usesVolume(c.id, filters.get('volume')))
      .filter((c) => networks.length === 0 || networks.some((n) => this.deps.networks?.isOn(c, n)))
      .filter((c) => {
        if (ancestors.length === 0) return true;
        return ancestors.some((a) => {
          try {
            return this.deps.resolveImage(a).id === c.imageId;
          } catch (err) {
            if (isBerthError(err, 'not-found') || isBerthError(err, 'invalid-argument'))
              return false;
            throw err;
          }
        });
      })
      .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    if (options.limit > 0) list = list.slice(0, options.limit);
    return list;
  }

  /** `ps --filter volume=`: a volume's name, or a mount's destination or source. */
  #usesVolume(id: string, values: readonly string[] | undefined): boolean {
    if (!values || values.length === 0) return true;
    const mounts = this.deps.volumes?.mountsOf(id) ?? [];
    return values.some((v) =>
      mounts.some((m) => m.name === v || m.destination === v || m.source === v),
    );
  }

  /** Commits a new state, then updates the in-memory view. */
  /** New host settings (docker update): persisted with the HostConfig document inspect shows. */
  updateHost(
    id: string,
    host: HostSettings,
    document: Readonly<Record<string, unknown>>,
  ): ContainerRecord {
    const c = this.#byId.get(id);
    if (!c) throw notFound(`No such container: ${id}`);
    const updated = { ...c, host, hostConfigDocument: document };
    this.deps.records.setHost(id, updated);
    this.#byId.set(id, updated);
    return updated;
  }

  updateState(id: string, state: ContainerState): ContainerRecord {
    const c = this.#byId.get(id);
    if (!c) throw notFound(`No such container: ${id}`);
    this.deps.records.setState(id, state);
    const updated = { ...c, state };
    this.#byId.set(id, updated);
    return updated;
  }

  rename(ref: string, newName: string): void {
    const c = this.resolve(ref);
    // Docker's words: the new name is reserved as "/<name>", and a refusal says so.
    const allocating = 'Error when allocating new name: ';
    if (!VALID_NAME.test(newName)) {
      throw invalidArgument(
        `${allocating}Invalid container name (/${newName.replace(/^\//, '')}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      );
    }
    const name = newName.replace(/^\//, '');
    if (name === c.name)
      throw invalidArgument('Renaming a container with the same name as its current name');
    const holder = this.all().find((x) => x.name === name);
    if (holder) {
      throw conflict(
        `${allocating}Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    this.deps.records.rename(c.id, name);
    const renamed = { ...c, name };
    this.#byId.set(c.id, renamed);
    this.deps.events.publish({
      type: 'container',
      action: 'rename',
      actor: { id: c.id, attributes: { image: c.config.Image, name, oldName: `/${c.name}` } },
    });
  }

  /** `volumes` (rm -v, and `--rm` after the exit): the container's anonymous volumes go too. */
  async remove(ref: string, options: { force: boolean; volumes?: boolean }): Promise<void> {
    let c = this.resolve(ref);
    if (this.deps.settled) {
      // The clean-up after its exit (unmount first of all) must be over before its layers go.
      await this.deps.settled(c.id);
      const now = this.#byId.get(c.id);
      if (!now) return; // its own --rm removed it meanwhile
      c = now;
    }
    if (
      c.state.status === 'running' ||
      c.state.status === 'paused' ||
      c.state.status === 'restarting'
    ) {
      if (!options.force) {
        throw conflict(
          c.state.status === 'paused'
            ? `You cannot remove a paused container ${c.id}. Unpause and then stop the container before attempting removal or force remove`
            : `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`,
        );
      }
      throw new BerthError(
        'not-implemented',
        'stopping a running container is not implemented yet',
      );
    }
    await this.#removeLayers(c);
    this.#discardDir(c.id);
    await this.#forget(c, options.volumes === true);
  }

  /**
   * `--rm` after the exit (see ContainerLifecycle): the container leaves the API at once, its
   * layers and directory once `released` has settled (the runtime has let go of its rootfs),
   * in the background. What a crash leaves of them, no record refers to any more: the next
   * start removes it (collectGarbage, removeLeftovers).
   */
  async removeExited(
    id: string,
    released: Promise<unknown>,
    onError: (err: unknown) => void,
  ): Promise<void> {
    const c = this.#byId.get(id);
    if (!c) return; // an rm -f took it meanwhile
    const files = released
      .then(async () => {
        await this.#removeLayers(c);
        this.#discardDir(c.id);
      })
      .catch(onError)
      .finally(() => this.#deleting.delete(files));
    this.#deleting.add(files);
    await this.#forget(c, true);
  }

  async #removeLayers(c: ContainerRecord): Promise<void> {
    await this.deps.driver.remove(c.driverId);
    // The init layer is the writable layer's parent: it goes second.
    await this.deps.driver.remove(initLayerId(c.driverId));
  }

  /** The record, the volume claims (and anonymous volumes with `removeAnonymous`), the event. */
  async #forget(c: ContainerRecord, removeAnonymous: boolean): Promise<void> {
    this.deps.records.delete(c.id);
    this.#byId.delete(c.id);
    await this.deps.volumes?.unclaim(c.id, { removeAnonymous });
    this.deps.events.publish({
      type: 'container',
      action: 'destroy',
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
  }

  /** Removes the stopped containers; the space is what their writable layers held (SizeRw). */
  async prune(filters: FilterArgs): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    checkFilterKeys(filters, PRUNE_FILTERS);
    const until = pruneCutoff(filters);
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const c of this.all()) {
      if (c.state.status !== 'created' && c.state.status !== 'exited' && c.state.status !== 'dead')
        continue;
      if (!matchesPruneLabels(filters, c.config.Labels ?? {})) continue;
      if (until !== undefined && Date.parse(c.created) > until) continue;
      const { rw } = await this.sizes(c);
      await this.remove(c.id, { force: false });
      deleted.push(c.id);
      spaceReclaimed += rw;
    }
    return { deleted, spaceReclaimed };
  }

  /**
   * Docker's SizeRw (what the container wrote in its writable layer) and SizeRootFs (that and
   * its image). A layer gone meanwhile (the container removed) weighs nothing.
   */
  async sizes(c: ContainerRecord, signal?: AbortSignal): Promise<ContainerSizes> {
    let image: ImageEntry | undefined;
    try {
      image = this.deps.resolveImage(c.imageId);
    } catch {
      image = undefined; // removed with --force while the container stays
    }
    const parent = await writableLayerParent(
      { driver: this.deps.driver, imageTopLayer: () => image?.layers.at(-1)?.driverId },
      c,
    );
    let rw = 0;
    try {
      rw = await this.deps.driver.diffSize(c.driverId, parent, signal);
    } catch (err) {
      if (!isBerthError(err, 'not-found')) throw err;
    }
    return { rw, rootFs: rw + (image?.record.size ?? 0) };
  }
}

function orUndefined<T extends object>(o: T): T | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}
