// The volumes jobs: local volumes (create, inspect, list, remove, prune), the mounts each
// container claims at create (binds, named and anonymous volumes, --mount, --volumes-from), and
// their set-up at start and release at exit (start-parts' ContainerVolumes).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '../../core/containers/container.js';
import { conflict, hasErrno, invalidArgument, isBerthError, notFound } from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import { checkFilterKeys, matchesLabels, type FilterArgs } from '../../core/filters.js';
import { KeyedLock } from '../../core/layers/keyed-lock.js';
import { readMountInfo } from '../../core/layers/mountinfo.js';
import { runCommand } from '../../core/layers/run-command.js';
import { tmpfsMount } from '../../core/runtime/oci-spec.js';
import type { Mount } from '../../core/runtime/oci-types.js';
import type { VolumeRecord, VolumeRecords } from '../../core/state/volume-records.js';
import {
  duplicateMountPoint,
  parseBind,
  parseMount,
  parseVolumesFrom,
  validateTmpfsDestination,
  type MountPoint,
} from '../../core/volumes/mount-spec.js';
import {
  ANONYMOUS_LABEL,
  localMount,
  localOptionsProblem,
  volumeNameProblem,
} from '../../core/volumes/volume-name.js';
import type { VolumeCreateRequest, VolumeUsage, VolumeView } from '../../core/volumes/volume.js';
import type { Logger } from '../../lib/logger.js';
import type { MountRequest } from '../containers/container-service.js';
import { copyUp, ensureMountDirectory } from './copy-up.js';
import { directorySize } from '../../core/layers/layer-size.js';
import { checkPropagation } from './propagation.js';

export interface VolumeServiceDeps {
  readonly records: VolumeRecords;
  /** `<data-root>/volumes`: each volume's data is `<root>/<name>/_data`. */
  readonly root: string;
  readonly events: EventPublisher;
  readonly logger: Logger;
  /** For --volumes-from: a container's full ID from its name or ID (404 when there is none). */
  readonly resolveContainer: (ref: string) => { readonly id: string };
}

const LIST_FILTERS = ['dangling', 'name', 'driver', 'label', 'label!'];
const PRUNE_FILTERS = ['label', 'label!', 'all'];
const MOUNT_TIMEOUT_MS = 30_000;

function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw invalidArgument(`invalid filter '${key}=[${value}]'`);
}

export class VolumeService {
  readonly #volumes = new Map<string, VolumeRecord>();
  readonly #mounts: Map<string, MountPoint[]>;
  /** Running containers using each volume (a volume with mount options is mounted while any). */
  readonly #active = new Map<string, Set<string>>();
  readonly #lock = new KeyedLock();

  constructor(private readonly deps: VolumeServiceDeps) {
    for (const v of deps.records.allVolumes()) this.#volumes.set(v.name, v);
    this.#mounts = deps.records.allMounts();
  }

  async init(): Promise<void> {
    await mkdir(this.deps.root, { recursive: true, mode: 0o701 });
  }

  /** What a volume holds, as `system df` and prune count it (nothing, if its data is gone). */
  async #size(name: string): Promise<number> {
    try {
      return await directorySize(this.#dataPath(name));
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return 0;
      throw err;
    }
  }

  #dataPath(name: string): string {
    return join(this.deps.root, name, '_data');
  }

  #view(v: VolumeRecord): VolumeView {
    return { ...v, mountpoint: this.#dataPath(v.name) };
  }

  /** IDs of the containers whose mounts use the volume (running or not). */
  users(name: string): string[] {
    const out: string[] = [];
    for (const [id, mounts] of this.#mounts)
      if (mounts.some((m) => m.type === 'volume' && m.name === name)) out.push(id);
    return out;
  }

  async create(request: VolumeCreateRequest): Promise<VolumeView> {
    const driver = request.driver || 'local';
    let name = request.name ?? '';
    const labels: Record<string, string> = { ...(request.labels ?? {}) };
    if (name === '') {
      name = randomBytes(32).toString('hex');
      labels[ANONYMOUS_LABEL] = '';
    }
    if (driver !== 'local')
      throw notFound(
        `create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`,
      );
    const problem = volumeNameProblem(name) ?? localOptionsProblem(request.options ?? {});
    if (problem !== undefined) throw invalidArgument(`create ${name}: ${problem}`);
    return this.#lock.run(`volume:${name}`, async () => {
      const existing = this.#volumes.get(name);
      if (existing) return this.#view(existing);
      const record: VolumeRecord = {
        name,
        driver,
        createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        labels,
        options: { ...(request.options ?? {}) },
      };
      await mkdir(this.#dataPath(name), { recursive: true, mode: 0o755 });
      try {
        this.deps.records.insertVolume(record);
      } catch (err) {
        await rm(join(this.deps.root, name), { recursive: true, force: true });
        throw err;
      }
      this.#volumes.set(name, record);
      this.deps.events.publish({
        type: 'volume',
        action: 'create',
        actor: { id: name, attributes: { driver } },
      });
      return this.#view(record);
    });
  }

  inspect(name: string): VolumeView {
    const v = this.#volumes.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return this.#view(v);
  }

  list(filters: FilterArgs): VolumeView[] {
    checkFilterKeys(filters, LIST_FILTERS);
    const dangling = filters.get('dangling') ?? [];
    const wantDangling = dangling.map((d) => parseBool('dangling', d));
    const names = (filters.get('name') ?? []).map((n) => new RegExp(n));
    const drivers = filters.get('driver') ?? [];
    return [...this.#volumes.values()]
      .filter((v) => names.length === 0 || names.some((r) => r.test(v.name)))
      .filter((v) => drivers.length === 0 || drivers.includes(v.driver))
      .filter((v) => this.#labelsMatch(filters, v))
      .filter(
        (v) => wantDangling.length === 0 || wantDangling.includes(this.users(v.name).length === 0),
      )
      .map((v) => this.#view(v));
  }

  #labelsMatch(filters: FilterArgs, v: VolumeRecord): boolean {
    if (!matchesLabels(filters.get('label'), v.labels)) return false;
    const not = filters.get('label!') ?? [];
    return not.every((l) => !matchesLabels([l], v.labels));
  }

  async remove(name: string, options: { force: boolean }): Promise<void> {
    const v = this.#volumes.get(name);
    if (!v) {
      if (options.force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = this.users(name);
    if (users.length > 0)
      throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    await this.#lock.run(`volume:${name}`, async () => {
      await this.#unmountIfMounted(this.#dataPath(name));
      this.deps.records.deleteVolume(name);
      this.#volumes.delete(name);
      await rm(join(this.deps.root, name), { recursive: true, force: true });
    });
    this.deps.events.publish({
      type: 'volume',
      action: 'destroy',
      actor: { id: name, attributes: { driver: v.driver } },
    });
  }

  /** Unused volumes; from API 1.42 only anonymous ones unless the `all` filter says so. */
  async prune(
    filters: FilterArgs,
    options: { anonymousOnly: boolean },
  ): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    checkFilterKeys(filters, PRUNE_FILTERS);
    const all = filters.get('all') ?? [];
    if (all.length > 1)
      throw invalidArgument(`invalid filter 'all=[${all.join(' ')}]': only one value is expected`);
    let everything = false;
    try {
      everything = all.length === 1 && parseBool('all', all[0] as string);
    } catch {
      throw invalidArgument(
        `invalid filter 'all': strconv.ParseBool: parsing ${JSON.stringify(all[0])}: invalid syntax`,
      );
    }
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const v of [...this.#volumes.values()]) {
      if (this.users(v.name).length > 0) continue;
      if (options.anonymousOnly && !everything && !Object.hasOwn(v.labels, ANONYMOUS_LABEL))
        continue;
      if (!this.#labelsMatch(filters, v)) continue;
      const size = await this.#size(v.name);
      try {
        await this.remove(v.name, { force: false });
      } catch (err) {
        if (isBerthError(err, 'conflict') || isBerthError(err, 'not-found')) continue;
        throw err;
      }
      deleted.push(v.name);
      spaceReclaimed += size;
    }
    return { deleted, spaceReclaimed };
  }

  /** Every volume with its size and how many containers use it (system df). */
  async usage(): Promise<VolumeUsage[]> {
    const out: VolumeUsage[] = [];
    for (const v of this.#volumes.values())
      out.push({
        ...this.#view(v),
        size: await this.#size(v.name),
        refCount: this.users(v.name).length,
      });
    return out;
  }

  /** At start-up: mounts of containers that no longer exist (a crash mid-create) are dropped. */
  forgetOrphans(containerIds: ReadonlySet<string>): void {
    for (const id of [...this.#mounts.keys()]) {
      if (containerIds.has(id)) continue;
      this.deps.records.setMounts(id, []);
      this.#mounts.delete(id);
      this.deps.logger.info('dropped the mounts of a container that is gone', { id });
    }
  }

  /** A container's mounts, by destination. */
  mountsOf(containerId: string): readonly MountPoint[] {
    return this.#mounts.get(containerId) ?? [];
  }

  /**
   * Decides a new container's mounts (Docker's order: --volumes-from, then binds, then --mount,
   * then Config.Volumes where nothing else is mounted), creating the volumes they name. Rolls
   * back the volumes it made when it fails.
   */
  async claim(containerId: string, request: MountRequest): Promise<MountPoint[]> {
    for (const dest of request.tmpfs) validateTmpfsDestination(dest);
    const tmpfs = new Set(request.tmpfs);
    const byDest = new Map<string, MountPoint>();
    for (const spec of request.volumesFrom) {
      const from = parseVolumesFrom(spec);
      let source: { readonly id: string };
      try {
        source = this.deps.resolveContainer(from.container);
      } catch (err) {
        // A 404 from create makes the Docker CLI pull the image: this is the request's fault.
        if (isBerthError(err, 'not-found')) throw invalidArgument(err.message);
        throw err;
      }
      for (const m of this.mountsOf(source.id))
        byDest.set(m.destination, {
          ...m,
          mode: '',
          rw: m.rw && from.rw,
          copyData: false,
          anonymous: false,
        });
    }
    const given = new Set<string>();
    const add = (m: MountPoint): void => {
      if (given.has(m.destination) || tmpfs.has(m.destination))
        throw duplicateMountPoint(m.destination);
      given.add(m.destination);
      byDest.set(m.destination, m);
    };
    for (const raw of request.binds) {
      const m = parseBind(raw);
      add(m.type === 'volume' ? { ...m, mode: m.mode || 'z' } : m);
    }
    request.mounts.forEach((raw, i) => {
      const m = parseMount(raw, i, (p) => existsSync(p));
      add(m.type === 'volume' ? { ...m, mode: m.mode || 'z' } : m);
    });
    for (const dest of request.volumes) {
      const m = parseBind(dest);
      if (byDest.has(m.destination) || tmpfs.has(m.destination)) continue;
      byDest.set(m.destination, m);
    }

    const made: string[] = [];
    const resolved: MountPoint[] = [];
    try {
      for (const m of [...byDest.values()].sort((a, b) =>
        a.destination < b.destination ? -1 : 1,
      )) {
        if (m.type !== 'volume') {
          resolved.push(m);
          continue;
        }
        const existed = m.name !== '' && this.#volumes.has(m.name);
        const v = existed
          ? this.inspect(m.name)
          : await this.create({
              name: m.name,
              driver: m.driver,
              labels: m.volumeOptions?.labels,
              options: m.volumeOptions?.driverOptions,
            });
        if (!existed) made.push(v.name);
        resolved.push({ ...m, name: v.name, source: v.mountpoint, driver: v.driver });
      }
      this.deps.records.setMounts(containerId, resolved);
    } catch (err) {
      for (const name of made)
        await this.remove(name, { force: true }).catch((e: unknown) =>
          this.deps.logger.warn('rolling back a volume failed', {
            name,
            error: (e as Error).message,
          }),
        );
      throw err;
    }
    this.#mounts.set(containerId, resolved);
    return resolved;
  }

  /** Forgets a removed container's mounts; with `removeAnonymous` (rm -v, --rm) its own volumes go too. */
  async unclaim(containerId: string, options: { removeAnonymous: boolean }): Promise<void> {
    const mounts = this.mountsOf(containerId);
    this.deps.records.setMounts(containerId, []);
    this.#mounts.delete(containerId);
    if (!options.removeAnonymous) return;
    for (const m of mounts) {
      if (m.type !== 'volume' || !m.anonymous) continue;
      try {
        await this.remove(m.name, { force: true });
      } catch (err) {
        // Another container (--volumes-from) still uses it: then it stays, as in Docker.
        if (!isBerthError(err, 'conflict')) throw err;
      }
    }
  }

  /** ContainerVolumes.mounts: readies each mount on the host and returns it in OCI form. */
  async mounts(c: ContainerRecord, rootfs: string): Promise<Mount[]> {
    const out: Mount[] = [];
    try {
      for (const m of this.mountsOf(c.id)) out.push(await this.#prepare(c.id, m, rootfs));
    } catch (err) {
      await this.release(c);
      throw err;
    }
    return out;
  }

  async #prepare(containerId: string, m: MountPoint, rootfs: string): Promise<Mount> {
    switch (m.type) {
      case 'bind': {
        if (m.createSource)
          await mkdir(m.source, { recursive: true, mode: 0o755 }).catch(ignoreNotDir);
        await checkPropagation(m.source, m.propagation);
        const options = ['rbind', ...(m.rw ? [] : ['ro']), m.propagation || 'rprivate'];
        return { destination: m.destination, type: 'bind', source: m.source, options };
      }
      case 'tmpfs':
        // Not made here: runc gives a tmpfs the mode of a directory that was already there.
        return tmpfsMount(m.destination, m.tmpfsData);
      case 'volume': {
        const v = this.inspect(m.name);
        await this.#activate(containerId, v);
        if (m.copyData) await copyUp(rootfs, m.destination, v.mountpoint);
        ensureMountDirectory(rootfs, m.destination);
        this.deps.events.publish({
          type: 'volume',
          action: 'mount',
          actor: {
            id: v.name,
            attributes: {
              container: containerId,
              destination: m.destination,
              driver: v.driver,
              propagation: m.propagation,
              'read/write': String(m.rw),
            },
          },
        });
        const options = ['rbind', ...(m.rw ? [] : ['ro']), 'rprivate'];
        return { destination: m.destination, type: 'bind', source: v.mountpoint, options };
      }
    }
  }

  /** Counts the container in; mounts the volume's device (`-o type=...`) for its first user. */
  async #activate(containerId: string, v: VolumeView): Promise<void> {
    await this.#lock.run(`volume:${v.name}`, async () => {
      const users = this.#active.get(v.name) ?? new Set<string>();
      const mount = localMount(v.options);
      if (users.size === 0 && mount && !(await this.#isMounted(v.mountpoint))) {
        const args = [
          '-t',
          mount.type,
          ...(mount.o ? ['-o', mount.o] : []),
          mount.device,
          v.mountpoint,
        ];
        try {
          await runCommand('mount', args, { timeoutMs: MOUNT_TIMEOUT_MS });
        } catch (err) {
          throw invalidArgument(
            `error while mounting volume '${v.mountpoint}': failed to mount local volume: ${(err as Error).message.trim()}`,
          );
        }
      }
      users.add(containerId);
      this.#active.set(v.name, users);
    });
  }

  /** ContainerVolumes.release: after the exit or a failed start; unmounts unused devices. */
  async release(c: ContainerRecord): Promise<void> {
    for (const m of this.mountsOf(c.id)) {
      if (m.type !== 'volume') continue;
      const users = this.#active.get(m.name);
      if (!users?.has(c.id)) continue;
      await this.#lock.run(`volume:${m.name}`, async () => {
        users.delete(c.id);
        if (users.size > 0) return;
        this.#active.delete(m.name);
        const v = this.#volumes.get(m.name);
        if (v && localMount(v.options)) await this.#unmountIfMounted(this.#dataPath(v.name));
      });
      this.deps.events.publish({
        type: 'volume',
        action: 'unmount',
        actor: { id: m.name, attributes: { container: c.id, driver: m.driver } },
      });
    }
  }

  /** At shutdown: devices of volumes no running container uses are unmounted. */
  async unmountIdle(): Promise<void> {
    for (const v of this.#volumes.values())
      if (localMount(v.options) && !this.#active.has(v.name))
        await this.#unmountIfMounted(this.#dataPath(v.name));
  }

  async #isMounted(path: string): Promise<boolean> {
    return (await readMountInfo()).some((e) => e.mountPoint === path);
  }

  async #unmountIfMounted(path: string): Promise<void> {
    if (!(await this.#isMounted(path))) return;
    try {
      await runCommand('umount', [path], { timeoutMs: MOUNT_TIMEOUT_MS });
    } catch {
      // Busy: detach it now, it goes when its last user does.
      await runCommand('umount', ['-l', path], { timeoutMs: MOUNT_TIMEOUT_MS });
    }
  }
}

function ignoreNotDir(err: unknown): undefined {
  // A file there (a bind of a file): it is the source as it is.
  if (hasErrno(err, 'EEXIST', 'ENOTDIR')) return undefined;
  throw err;
}
