// The files of a container, for the archive API (docker cp) and export: its root filesystem is
// mounted (reference-counted, so a running container's mount is shared) and held as a
// ScopedRoot for each operation, and unmounted when the operation, or the stream it returned,
// is done. Every path is resolved inside that root.
//
// A path under one of the container's volumes or binds, or its /etc/hosts, /etc/hostname or
// /etc/resolv.conf, is read from and written to that mount's source, as Docker's cp sees it
// (see mount-paths.ts); a tmpfs is not seen (it lives only in the container's namespace).

import { existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ContainerRecord } from '../../core/containers/container.js';
import {
  containerPath,
  findArchivePath,
  findExtractionPoint,
  type PathStat,
} from '../../core/archive/copy-paths.js';
import { mountedPath, type VisibleMount } from '../../core/archive/mount-paths.js';
import { unpackArchive } from '../../core/archive/copy-unpack.js';
import { tarOfTree } from '../../core/archive/tree-tar.js';
import { BerthError, hasErrno, invalidArgument, notFound } from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import type { StorageDriver } from '../../core/layers/storage-driver.js';
import { resolveUser } from '../../core/runtime/user.js';
import { ScopedPathError, ScopedRoot } from '../../lib/scoped-fs/scoped-root.js';
import { walkTree } from '../../lib/scoped-fs/walk-tree.js';
import type { Logger } from '../../lib/logger.js';
import type { MountPoint } from '../../core/volumes/mount-spec.js';

/** The largest /etc/passwd or /etc/group read to resolve `copyUIDGID`'s user. */
const MAX_ACCOUNT_FILE = 4 * 1024 * 1024;

export interface ContainerFilesDeps {
  readonly resolve: (ref: string) => ContainerRecord;
  /** The container's mounts the host sees (volumes, binds, its /etc files). */
  readonly mounts?: (c: ContainerRecord) => readonly VisibleMount[];
  readonly driver: Pick<StorageDriver, 'mount' | 'unmount'>;
  readonly events: EventPublisher;
  readonly logger: Logger;
}

export interface ExtractOptions {
  /** Refuse to replace a directory by a non-directory, or the reverse. */
  readonly noOverwriteDirNonDir: boolean;
  /** Give every entry the container user's uid and gid (`docker cp -a`). */
  readonly copyUidGid: boolean;
  readonly signal: AbortSignal;
}

/** A mounted root filesystem, and how to let it go (once; it never rejects). */
interface OpenRoot {
  readonly root: ScopedRoot;
  release(): Promise<void>;
}

/** Where an operation on a path happens: the root filesystem, or a mount's source. */
interface Target {
  readonly root: ScopedRoot;
  /** Inside `root`. */
  readonly path: string;
  /** The archive's name for it, when in a mount. */
  readonly name?: string;
  readonly mount?: VisibleMount;
  /** Lets a mount's root go (nothing for the root filesystem). */
  close(): void;
}

export class ContainerFiles {
  constructor(private readonly deps: ContainerFilesDeps) {}

  /** The stat of `path` in the container (HEAD archive). */
  async statPath(ref: string, path: string): Promise<PathStat> {
    const c = this.deps.resolve(ref);
    const open = await this.#open(c);
    try {
      const target = this.#target(c, open, path);
      try {
        const { found, stat } = findArchivePath(target.root, target.path, target.name);
        target.root.release(found.dir);
        return stat;
      } finally {
        target.close();
      }
    } catch (err) {
      throw pathError(err, ref, path);
    } finally {
      await open.release();
    }
  }

  /** The stat of `path` and a tar stream of it (GET archive); the stream holds the mount. */
  async archivePath(
    ref: string,
    path: string,
    signal: AbortSignal,
  ): Promise<{ stat: PathStat; content: Readable }> {
    const c = this.deps.resolve(ref);
    const open = await this.#open(c);
    let target: Target | undefined;
    let result;
    try {
      target = this.#target(c, open, path);
      result = findArchivePath(target.root, target.path, target.name);
    } catch (err) {
      target?.close();
      await open.release();
      throw pathError(err, ref, path);
    }
    const { found, stat, archiveName } = result;
    const held = target;
    const content = ownedStream(
      () => tarOfTree(walkTree(found, { name: archiveName, signal })),
      async () => {
        held.root.release(found.dir);
        held.close();
        await open.release();
      },
    );
    this.#publish(c, 'archive-path');
    return { stat, content };
  }

  /** Unpacks the tar `content` into the directory `path` names (PUT archive). */
  async extractToDir(
    ref: string,
    path: string,
    content: Readable,
    options: ExtractOptions,
  ): Promise<void> {
    const c = this.deps.resolve(ref);
    const open = await this.#open(c);
    let target: Target | undefined;
    try {
      let dest: string;
      try {
        target = this.#target(c, open, path);
        dest = findExtractionPoint(target.root, target.path);
      } catch (err) {
        throw pathError(err, ref, path);
      }
      if (target.mount && !target.mount.rw)
        throw invalidArgument('mounted volume is marked read-only');
      if (!target.mount && c.host.readonlyRootfs)
        throw new BerthError('internal', 'container rootfs is marked read-only');
      await unpackArchive(content, {
        root: target.root,
        dest,
        noOverwriteDirNonDir: options.noOverwriteDirNonDir,
        owners: options.copyUidGid && c.config.User ? containerUser(open.root, c) : 'keep',
        signal: options.signal,
      });
    } finally {
      target?.close();
      await open.release();
    }
    this.#publish(c, 'extract-to-dir');
  }

  /** The whole root filesystem as a tar stream (export); the stream holds the mount. */
  async exportContainer(ref: string, signal: AbortSignal): Promise<Readable> {
    const c = this.deps.resolve(ref);
    const open = await this.#open(c);
    let found;
    try {
      found = open.root.find('/');
    } catch (err) {
      await open.release();
      throw err;
    }
    const top = found;
    const content = ownedStream(
      () => tarOfTree(walkTree(top, { name: '', signal })),
      async () => {
        open.root.release(top.dir);
        await open.release();
      },
    );
    this.#publish(c, 'export');
    return content;
  }

  /** The root filesystem, or the source of the mount `path` is in (if that source exists). */
  #target(c: ContainerRecord, open: OpenRoot, path: string): Target {
    const onRootfs: Target = { root: open.root, path, close: () => undefined };
    const inMount = mountedPath(containerPath(path), this.deps.mounts?.(c) ?? []);
    if (!inMount) return onRootfs;
    let root: ScopedRoot;
    try {
      // A bind's source as the runtime mounted it: symlinks in it followed.
      root = ScopedRoot.open(realpathSync(inMount.root));
    } catch (err) {
      // Not made yet (a bind a start creates): what is there is the root filesystem's.
      if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return onRootfs;
      throw err;
    }
    return {
      root,
      path: inMount.path,
      name: inMount.name,
      mount: inMount.mount,
      close: () => root.close(),
    };
  }

  async #open(c: ContainerRecord): Promise<OpenRoot> {
    const path = await this.deps.driver.mount(c.driverId);
    let root: ScopedRoot;
    try {
      root = ScopedRoot.open(path);
    } catch (err) {
      await this.deps.driver.unmount(c.driverId);
      throw err;
    }
    let released = false;
    return {
      root,
      // A failed unmount leaves the layer counted as mounted; the operation itself succeeded.
      release: async () => {
        if (released) return;
        released = true;
        root.close();
        await this.deps.driver.unmount(c.driverId).catch((err: unknown) =>
          this.deps.logger.warn('unmount failed', {
            id: c.id,
            error: err instanceof Error ? err.message : String(err),
          }),
        );
      },
    };
  }

  #publish(c: ContainerRecord, action: string): void {
    this.deps.events.publish({
      type: 'container',
      action,
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
  }
}

/**
 * What of a container's mounts the host sees: its volumes and binds (not tmpfs), and the
 * /etc files a start wrote into its directory, when they exist.
 */
export function visibleMounts(mounts: readonly MountPoint[], containerDir: string): VisibleMount[] {
  const out: VisibleMount[] = [];
  for (const m of mounts) {
    if (m.type === 'tmpfs' || m.source === '') continue;
    let file = false;
    try {
      file = !statSync(m.source).isDirectory();
    } catch {
      continue; // not made yet
    }
    out.push({ destination: m.destination, source: m.source, file, rw: m.rw });
  }
  for (const [name, destination] of [
    ['hosts', '/etc/hosts'],
    ['hostname', '/etc/hostname'],
    ['resolv.conf', '/etc/resolv.conf'],
  ] as const) {
    const source = join(containerDir, name);
    if (existsSync(source) && !out.some((m) => m.destination === destination))
      out.push({ destination, source, file: true, rw: true });
  }
  return out;
}

/** The uid and gid of the container's user, from its own /etc/passwd and /etc/group. */
function containerUser(root: ScopedRoot, c: ContainerRecord): { uid: number; gid: number } {
  const user = resolveUser(
    c.config.User ?? '',
    root.readText('/etc/passwd', MAX_ACCOUNT_FILE) ?? '',
    root.readText('/etc/group', MAX_ACCOUNT_FILE) ?? '',
  );
  return { uid: user.uid, gid: user.gid };
}

/** A lookup failure as the archive API reports it: a missing path is Docker's 404. */
function pathError(err: unknown, ref: string, path: string): unknown {
  if (!(err instanceof ScopedPathError)) return err;
  if (err.code === 'ENOENT') return notFound(`Could not find the file ${path} in container ${ref}`);
  return new BerthError('internal', err.message, { cause: err });
}

/**
 * A stream of what `produce` yields; `release` (which never rejects) runs once after the
 * producer has finished (its descriptors closed), or at once if the stream is closed before
 * it started.
 */
function ownedStream(
  produce: () => AsyncGenerator<Buffer>,
  release: () => Promise<void>,
): Readable {
  let started = false;
  async function* run(): AsyncGenerator<Buffer> {
    started = true;
    try {
      yield* produce();
    } finally {
      await release();
    }
  }
  const stream = Readable.from(run(), { objectMode: false });
  stream.once('close', () => {
    if (!started) void release();
  });
  return stream;
}
