import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import {
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { packDirectory } from '../archive/pack.js';
import type { WhiteoutFormat } from '../archive/types.js';
import { overlayChanges, type FileChange } from './changes.js';
import { directorySize } from './layer-size.js';
import {
  BerthError,
  conflict,
  hasErrno,
  invalidArgument,
  notFound,
  unavailable,
} from '../errors.js';
import { backingFsOf } from './backing-fs.js';
import { assertLayerId, layerDirExists, listLayerDirs } from './layer-id.js';
import { MountRefs } from './mount-refs.js';
import { mountPointsUnder, readMountInfo } from './mountinfo.js';
import {
  MAX_LOWER_DEPTH,
  MOUNT_OPTIONS_LIMIT,
  buildLowerChain,
  buildOverlayMountOptions,
  generateLinkName,
  isLinkName,
  lowerDepth,
} from './overlay-options.js';
import { CommandError, runCommand } from './run-command.js';
import {
  MNT_DETACH,
  mountByServer,
  umountByServer,
  type SyscallResult,
} from '../../lib/run-to-completion.js';
import type { StorageDriver } from './storage-driver.js';

export interface Overlay2DriverOptions {
  /** The driver's directory, `<data-root>/overlay2`. */
  readonly root: string;
  /** Time limit of each mount/umount command (default 30 s). */
  readonly commandTimeoutMs?: number;
}

const ERRNO = constants.errno;
const LINKS_DIR = 'l';
/** Prefixes of the driver's scratch directories, which no layer id can take (ids are [a-z0-9]). */
const TEMP_PREFIX = '.tmp-';
const CHECK_PREFIX = '.check-';
/** Removed layers, renamed out of the way and deleted in the background. */
const GONE_PREFIX = '.gone-';
const OVERLAY_PARAMETERS = '/sys/module/overlay/parameters';

/**
 * Layers as kernel overlayfs directories, laid out as Docker's overlay2 driver does:
 * `<root>/<id>/{diff,link,lower,work,merged}` and `<root>/l/<link>` → `../<id>/diff`.
 * A layer with a parent is mounted as the union `lowerdir=<ancestors>,upperdir=<id>/diff`,
 * with the short `l/` names relative to the root so that 128 layers fit in one page of options.
 */
export class Overlay2Driver implements StorageDriver {
  readonly name = 'overlay2';
  readonly whiteoutFormat: WhiteoutFormat = 'overlay';
  readonly #root: string;
  readonly #timeoutMs: number;
  readonly #refs = new MountRefs();
  /** Deletions of removed layers still under way (cleanup() waits for them). */
  readonly #deleting = new Set<Promise<void>>();
  #realRoot: string;
  #indexOff = false;
  #status: [string, string][] = [];

  constructor(options: Overlay2DriverOptions) {
    this.#root = resolve(options.root);
    this.#realRoot = this.#root;
    this.#timeoutMs = options.commandTimeoutMs ?? 30_000;
  }

  async init(): Promise<void> {
    await mkdir(join(this.#root, LINKS_DIR), { recursive: true, mode: 0o700 });
    this.#realRoot = await realpath(this.#root);
    await assertKernelHasOverlay();
    await this.#unmountStale();
    await this.#removeLeftovers();
    this.#indexOff = await pathExists(`${OVERLAY_PARAMETERS}/index`);
    await this.#checkMount();
    const metacopy = readParameter('metacopy');
    const redirectDir = readParameter('redirect_dir');
    this.#status = [
      ['Backing Filesystem', await backingFsOf(this.#root)],
      ['Supports d_type', 'true'],
      ['Using metacopy', String(metacopy === 'Y')],
      ['Native Overlay Diff', String(redirectDir !== 'Y')],
    ];
  }

  async create(id: string, parent: string | undefined): Promise<void> {
    assertLayerId(id);
    if (parent !== undefined) assertLayerId(parent);
    // Synchronous calls: a dozen small metadata operations, each far shorter than a round trip
    // through libuv's thread pool (~3 ms a layer that way, a start's create makes two).
    return this.#refs.exclusive(id, async () => {
      if (statSync(join(this.#root, id), { throwIfNoEntry: false })?.isDirectory())
        throw conflict(`layer ${id} already exists`);
      let lower: string | undefined;
      if (parent !== undefined) {
        lower = buildLowerChain(
          this.#readLink(parent),
          readOptionalSync(join(this.#root, parent, 'lower')),
        );
        if (lowerDepth(lower) > MAX_LOWER_DEPTH) {
          throw invalidArgument(`max depth exceeded: ${MAX_LOWER_DEPTH} lower layers at most`);
        }
      }
      // Built under a scratch name and renamed: a layer dir is complete or absent.
      const temp = join(this.#root, `${TEMP_PREFIX}${id}-${randomBytes(6).toString('hex')}`);
      mkdirSync(temp, { mode: 0o710 });
      let link: string | undefined;
      try {
        mkdirSync(join(temp, 'diff'), { mode: 0o755 });
        link = this.#createLink(id, temp);
        if (lower !== undefined) {
          writeFileSync(join(temp, 'lower'), lower);
          mkdirSync(join(temp, 'work'), { mode: 0o700 });
          mkdirSync(join(temp, 'merged'), { mode: 0o700 });
        }
        renameSync(temp, join(this.#root, id));
      } catch (err) {
        await rm(temp, { recursive: true, force: true });
        if (link !== undefined) await rm(join(this.#root, LINKS_DIR, link), { force: true });
        throw err;
      }
    });
  }

  diffPath(id: string): string {
    assertLayerId(id);
    return join(this.#root, id, 'diff');
  }

  list(): Promise<string[]> {
    return listLayerDirs(this.#root);
  }

  exists(id: string): Promise<boolean> {
    return layerDirExists(this.#root, id);
  }

  async mount(id: string): Promise<string> {
    assertLayerId(id);
    return this.#refs.mount(id, async () => {
      const dir = join(this.#root, id);
      const lower = readOptionalSync(join(dir, 'lower'));
      if (lower === undefined) {
        // A base layer: its diff dir is the whole file system, nothing to stack.
        if (!(await this.exists(id))) throw notFound(`layer ${id} does not exist`);
        return join(dir, 'diff');
      }
      const options = buildOverlayMountOptions({ lower, id, indexOff: this.#indexOff });
      if (Buffer.byteLength(options) > MOUNT_OPTIONS_LIMIT) {
        throw new BerthError(
          'internal',
          `cannot mount layer ${id}: its ${lowerDepth(lower)} lower layers need ` +
            `${Buffer.byteLength(options)} bytes of mount options, more than ${MOUNT_OPTIONS_LIMIT}`,
        );
      }
      const merged = join(dir, 'merged');
      await mkdir(merged, { recursive: true, mode: 0o700 });
      // Still mounted from before a daemon restart (a running container's): taken over as it is.
      if (statSync(merged).dev !== statSync(dir).dev) return merged;
      try {
        await this.#mountOverlay(options, merged);
      } catch (err) {
        // A mount that timed out may still have happened: leave nothing behind.
        await this.#unmountIfMounted(merged);
        throw err;
      }
      return merged;
    });
  }

  async unmount(id: string): Promise<void> {
    assertLayerId(id);
    return this.#refs.unmount(id, (path) => this.#release(id, path));
  }

  /** From the layer's own diff dir and its `lower` chain (`parent` is implied by them). */
  async changes(
    id: string,
    _parent: string | undefined,
    signal?: AbortSignal,
  ): Promise<FileChange[]> {
    assertLayerId(id);
    if (!(await this.exists(id))) throw notFound(`layer ${id} does not exist`);
    const lower = readOptionalSync(join(this.#root, id, 'lower'));
    const lowers = (lower ? lower.split(':') : []).map((link) => join(this.#root, link));
    return overlayChanges({ upper: this.diffPath(id), lowers, signal });
  }

  /** The diff dir holds exactly what the layer wrote. */
  async diffSize(id: string, _parent: string | undefined, signal?: AbortSignal): Promise<number> {
    assertLayerId(id);
    if (!(await this.exists(id))) throw notFound(`layer ${id} does not exist`);
    return directorySize(this.diffPath(id), { signal });
  }

  /** The diff dir as it is: overlayfs already keeps only what the layer changed. */
  async diff(id: string, _parent: string | undefined, signal?: AbortSignal): Promise<Readable> {
    if (!(await this.exists(id))) throw notFound(`layer ${id} does not exist`);
    return packDirectory({ root: this.diffPath(id), whiteouts: 'overlay', signal });
  }

  async remove(id: string): Promise<void> {
    assertLayerId(id);
    return this.#refs.whenUnmounted(id, async () => {
      const dir = join(this.#root, id);
      // Synchronous calls, as in create(). rmdir fails with EBUSY on a mount point: never
      // recurse into a mounted union.
      try {
        rmdirSync(join(dir, 'merged'));
      } catch (err) {
        if (hasErrno(err, 'EBUSY')) throw conflict(`layer ${id} is mounted`);
        if (!hasErrno(err, 'ENOENT')) throw err;
      }
      const link = readOptionalSync(join(dir, 'link'));
      if (link !== undefined && isLinkName(link)) {
        rmSync(join(this.#root, LINKS_DIR, link), { force: true });
      }
      // A rename takes the layer away at once; its files, a tree of any size, go after.
      const gone = join(this.#root, `${GONE_PREFIX}${id}-${randomBytes(6).toString('hex')}`);
      try {
        renameSync(dir, gone);
      } catch (err) {
        if (hasErrno(err, 'ENOENT')) return;
        throw err;
      }
      const deleting = rm(gone, { recursive: true, force: true })
        .catch(() => undefined) // what is left goes at the next start (#removeLeftovers)
        .finally(() => this.#deleting.delete(deleting));
      this.#deleting.add(deleting);
    });
  }

  metadata(id: string): Record<string, string> | null {
    assertLayerId(id);
    const dir = join(this.#root, id);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return null;
    const data: Record<string, string> = {};
    const lower = readOptionalSync(join(dir, 'lower'));
    if (lower) {
      // Each `l/<link>` is a symlink to `../<layer>/diff`.
      data['LowerDir'] = lower
        .split(':')
        .map((link) => resolve(this.#root, LINKS_DIR, readlinkSync(join(this.#root, link))))
        .join(':');
    }
    data['MergedDir'] = join(dir, 'merged');
    data['UpperDir'] = join(dir, 'diff');
    data['WorkDir'] = join(dir, 'work');
    return data;
  }

  status(): [string, string][] {
    return this.#status.map(([key, value]) => [key, value]);
  }

  async cleanup(): Promise<void> {
    await this.#refs.unmountAll((id, path) => this.#release(id, path));
    await Promise.all(this.#deleting);
  }

  async #release(id: string, path: string): Promise<void> {
    if (path === join(this.#root, id, 'diff')) return;
    await this.#unmountIfMounted(path);
  }

  #readLink(id: string): string {
    const link = readOptionalSync(join(this.#root, id, 'link'));
    if (link === undefined) throw notFound(`layer ${id} does not exist`);
    if (!isLinkName(link)) throw new BerthError('internal', `layer ${id} has a bad link: ${link}`);
    return link;
  }

  /** Writes `<temp>/link` first, then `l/<link>` → `../<id>/diff` (a fresh name on a clash). */
  #createLink(id: string, temp: string): string {
    for (let attempt = 0; ; attempt++) {
      const link = generateLinkName();
      writeFileSync(join(temp, 'link'), link);
      try {
        symlinkSync(`../${id}/diff`, join(this.#root, LINKS_DIR, link));
        return link;
      } catch (err) {
        if (!hasErrno(err, 'EEXIST') || attempt >= 9) throw err;
      }
    }
  }

  /**
   * Unmounts `path` if it is a mount point. A busy mount is detached lazily (as Docker's
   * overlay2 does): it leaves the mount table at once and goes when its last user does.
   */
  async #unmountIfMounted(path: string): Promise<void> {
    const real = this.#real(path);
    const direct = umountByServer(real, 0, this.#timeoutMs);
    if (direct !== undefined) {
      // umount2 says itself whether it was a mount point (EINVAL: not one).
      const { errno, message } = await this.#answered(`umount ${real}`, direct);
      if (errno === 0 || errno === ERRNO.EINVAL || errno === ERRNO.ENOENT) return;
      if (errno !== ERRNO.EBUSY)
        throw new CommandError(`umount ${real}: ${message}`, 32, message, false);
      await this.#umount(real, true);
      return;
    }
    const isMounted = async (): Promise<boolean> =>
      (await readMountInfo()).some((entry) => entry.mountPoint === real);
    if (!(await isMounted())) return;
    try {
      await this.#umount(real, false);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      if (!(await isMounted())) return;
      await this.#umount(real, true);
    }
  }

  /** mount -t overlay: a mount(2) in the fork server when it runs, else mount(8). */
  async #mountOverlay(options: string, merged: string): Promise<void> {
    const call = mountByServer(
      { source: 'overlay', target: merged, fstype: 'overlay', data: options, cwd: this.#root },
      this.#timeoutMs,
    );
    if (call === undefined) {
      await this.#run('mount', ['-t', 'overlay', 'overlay', '-o', options, merged]);
      return;
    }
    await this.#syscallDone(`mount -t overlay overlay -o ${options} ${merged}`, call);
  }

  /** umount (lazy: -l), as #mountOverlay. */
  async #umount(path: string, lazy: boolean): Promise<void> {
    const call = umountByServer(path, lazy ? MNT_DETACH : 0, this.#timeoutMs);
    if (call === undefined) {
      await this.#run('umount', lazy ? ['-l', path] : [path]);
      return;
    }
    await this.#syscallDone(`umount ${lazy ? '-l ' : ''}${path}`, call);
  }

  /** A failed or unanswered call as the CommandError the program would have given. */
  async #syscallDone(line: string, call: Promise<SyscallResult>): Promise<void> {
    const result = await this.#answered(line, call);
    if (result.errno !== 0)
      throw new CommandError(`${line}: ${result.message}`, 32, result.message, false);
  }

  /** The call's result; a CommandError (timed out) when the server gave none. */
  async #answered(line: string, call: Promise<SyscallResult>): Promise<SyscallResult> {
    try {
      return await call;
    } catch (err) {
      throw new CommandError(`${line}: ${(err as Error).message}`, null, '', true);
    }
  }

  /** A path under the root as the mount table spells it (the root with its symlinks resolved). */
  #real(path: string): string {
    return path.startsWith(`${this.#root}/`)
      ? this.#realRoot + path.slice(this.#root.length)
      : path;
  }

  /** Unmounts what a crashed daemon left under the root: nothing stays mounted unused. */
  async #unmountStale(): Promise<void> {
    for (const point of mountPointsUnder(await readMountInfo(), this.#realRoot)) {
      await this.#unmountIfMounted(point);
    }
  }

  /**
   * Removes the scratch dirs of creates and checks that did not finish, and their links, and
   * removed layers whose deletion did not finish (their links went before they were renamed).
   */
  async #removeLeftovers(): Promise<void> {
    for (const name of await readdir(this.#root)) {
      const dir = join(this.#root, name);
      if (name.startsWith(GONE_PREFIX)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (!name.startsWith(TEMP_PREFIX) && !name.startsWith(CHECK_PREFIX)) continue;
      const link = readOptionalSync(join(dir, 'link'));
      if (link !== undefined && isLinkName(link)) {
        await rm(join(this.#root, LINKS_DIR, link), { force: true });
      }
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Mounts a small union under the root, with relative paths, and writes through it. */
  async #checkMount(): Promise<void> {
    const name = `${CHECK_PREFIX}${randomBytes(6).toString('hex')}`;
    const dir = join(this.#root, name);
    const merged = join(dir, 'merged');
    for (const sub of ['lower', 'upper', 'work', 'merged']) {
      await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    }
    try {
      await writeFile(join(dir, 'lower', 'file'), 'lower');
      const options = [
        ...(this.#indexOff ? ['index=off'] : []),
        `lowerdir=${name}/lower,upperdir=${name}/upper,workdir=${name}/work`,
      ].join(',');
      try {
        await this.#mountOverlay(options, merged);
      } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        throw unavailable(
          `overlay2: overlayfs does not work on ${this.#root} ` +
            `(backing filesystem ${await backingFsOf(this.#root)}): ${err.message}; ` +
            'use another data root or --storage-driver=vfs',
        );
      }
      try {
        await writeFile(join(merged, 'file'), 'upper');
        if ((await readFile(join(dir, 'upper', 'file'), 'utf8')) !== 'upper') {
          throw unavailable(`overlay2: a write through overlayfs on ${this.#root} was lost`);
        }
      } finally {
        await this.#unmountIfMounted(merged);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  #run(command: string, args: readonly string[]): Promise<string> {
    return runCommand(command, args, { cwd: this.#root, timeoutMs: this.#timeoutMs });
  }
}

async function assertKernelHasOverlay(): Promise<void> {
  const filesystems = await readFile('/proc/filesystems', 'utf8');
  const listed = filesystems.split('\n').some((line) => line.split('\t').pop() === 'overlay');
  if (!listed) {
    throw unavailable(
      'overlay2: the kernel does not support overlayfs (no "overlay" in /proc/filesystems); ' +
        'load it with `modprobe overlay` or use --storage-driver=vfs',
    );
  }
}

function readOptionalSync(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function readParameter(name: string): string | undefined {
  return readOptionalSync(`${OVERLAY_PARAMETERS}/${name}`);
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
}
