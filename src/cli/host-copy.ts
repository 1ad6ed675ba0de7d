// The host side of `berth cp`, with the Docker CLI's rules: which host path is the source or
// the destination (symlinks, trailing "/" and "/."), how the archive's entries are renamed so
// that extracting them at a directory gives a copy under the asked name, and the tar of a
// host path and the extraction of one into a host directory (through lib/scoped-fs, so that
// nothing the archive holds can reach outside that directory).

import { execFile } from 'node:child_process';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import tarStream, { type Header, type Pack } from 'tar-stream';
import {
  assertsDirectory,
  basePath,
  hasTrailingSeparator,
  joinPath,
  preserveTrailingDotOrSeparator,
  specifiesCurrentDir,
  splitPath,
  splitPathDirEntry,
} from '../lib/scoped-fs/go-path.js';
import { ScopedRoot } from '../lib/scoped-fs/scoped-root.js';
import { unpackTree, type DeviceNode } from '../lib/scoped-fs/unpack-tree.js';
import { walkTree, type TreeEntry } from '../lib/scoped-fs/walk-tree.js';

const execFileAsync = promisify(execFile);
/** CopyInfoDestinationPath follows at most this many symlinks (as the Docker CLI). */
const MAX_DESTINATION_SYMLINKS = 10;
/** POSIX type bits: tar-stream replaces a mode of 0 by a default, type bits keep it. */
const TYPE_BITS: Record<string, number> = { directory: 0o040000, symlink: 0o120000 };

/** A failure the Docker CLI reports with its own wording. */
export class CopyError extends Error {
  override readonly name = 'CopyError';
}

/** What one end of a copy is. */
export interface CopyInfo {
  readonly path: string;
  readonly exists: boolean;
  readonly isDir: boolean;
  /** The name the source's entries take instead of its own (a symlink that was followed). */
  readonly rebaseName: string;
}

/** A renaming of the archive's top entry: the first `from` in each name becomes `to`. */
export interface Rename {
  readonly from: string;
  readonly to: string;
}

/** `CONTAINER:PATH` or a local path (absolute, or starting with "." when it holds a colon). */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** An absolute local path, its trailing "/" or "/." kept. */
export function resolveLocalPath(path: string): string {
  return preserveTrailingDotOrSeparator(resolve(path), path);
}

/** Go's strings.Replace(name, from, to, 1); a `from` of "/" prefixes the name instead. */
export function applyRename(name: string, rename: Rename): string {
  const from = rename.from === '/' ? '' : rename.from;
  const at = name.indexOf(from);
  return at < 0 ? name : name.slice(0, at) + rename.to + name.slice(at + from.length);
}

/**
 * A followed symlink's target, with the trailing "/." or "/" of the path asked for, and the
 * name the copy keeps (the asked path's, when the target's differs).
 */
export function getRebaseName(
  path: string,
  resolved: string,
): { path: string; rebaseName: string } {
  let target = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(target)) target += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(target)) target += '/';
  const rebaseName = basePath(path) !== basePath(target) ? basePath(path) : '';
  return { path: target, rebaseName };
}

/** A host file system error worded as the Docker CLI (Go) words it: `lstat /x: no such ...`. */
function goError(err: unknown, syscall: string, path: string): unknown {
  const { code, message } = err as NodeJS.ErrnoException;
  if (typeof code !== 'string') return err;
  const text = /^[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? code;
  return new CopyError(`${syscall} ${path}: ${text}`);
}

/** The local source of a copy: symlinks above its last element resolved (all, with -L). */
export async function copyInfoSourcePath(path: string, followLink: boolean): Promise<CopyInfo> {
  try {
    return await sourceInfo(path, followLink);
  } catch (err) {
    throw goError(err, 'lstat', path);
  }
}

async function sourceInfo(path: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: string;
  let rebaseName = '';
  if (followLink) {
    ({ path: resolved, rebaseName } = getRebaseName(path, await realpath(path)));
  } else {
    const { dir, base } = splitPath(path);
    resolved = `${await realpath(dir === '' ? '.' : dir)}/${base}`;
    if (hasTrailingSeparator(path) && basePath(path) !== basePath(resolved))
      rebaseName = basePath(path);
  }
  const info = await lstat(resolved);
  return { path: resolved, exists: true, isDir: info.isDirectory(), rebaseName };
}

/** The local destination of a copy: it need not exist, but its parent directory must. */
export async function copyInfoDestinationPath(path: string): Promise<CopyInfo> {
  let current = path;
  for (let hops = 0; ; hops++) {
    const info = await lstatOrUndefined(current);
    if (info === undefined) break;
    if (!info.isSymbolicLink())
      return { path: current, exists: true, isDir: info.isDirectory(), rebaseName: '' };
    if (hops >= MAX_DESTINATION_SYMLINKS) throw new CopyError(`too many symlinks in ${path}`);
    const target = await readlink(current);
    current = target.startsWith('/') ? target : joinPath(splitPathDirEntry(current).dir, target);
  }
  const parentPath = splitPathDirEntry(current).dir;
  const parent = await stat(parentPath).catch((err: unknown) => {
    throw goError(err, 'stat', parentPath);
  });
  if (!parent.isDirectory()) throw new CopyError('not a directory');
  return { path: current, exists: false, isDir: false, rebaseName: '' };
}

/**
 * Where an archive of `source` is extracted so that it lands as `destination`, and how its
 * entries are renamed for it (PrepareArchiveCopy).
 */
export function prepareArchiveCopy(
  source: CopyInfo,
  destination: CopyInfo,
): { dstDir: string; rename?: Rename } {
  const { dir: dstDir, base: dstBase } = splitPathDirEntry(destination.path);
  const from = source.rebaseName || splitPathDirEntry(source.path).base;
  if (destination.exists && destination.isDir) return { dstDir: destination.path };
  if (destination.exists && source.isDir) throw new CopyError('cannot copy directory');
  if (!destination.exists && !source.isDir && assertsDirectory(destination.path))
    throw new CopyError('no such directory');
  return { dstDir, rename: { from, to: dstBase } };
}

/** A tar of the local `source`, its top entry named `name` (TarResourceRebase). */
export async function packLocal(source: CopyInfo, name: string): Promise<Readable> {
  const { dir, base } = splitPathDirEntry(source.path);
  const root = ScopedRoot.open(await realpath(dir));
  let found;
  try {
    found = root.find(`/${base}`);
    if (found.stat === undefined)
      throw new CopyError(`lstat ${source.path}: no such file or directory`);
  } catch (err) {
    root.close();
    throw err;
  }
  const top = found;
  async function* entries(): AsyncGenerator<TreeEntry> {
    try {
      yield* walkTree(top, { name });
    } finally {
      root.release(top.dir);
      root.close();
    }
  }
  return tarOf(entries());
}

/** Extracts a tar into the local directory `dstDir` (owners not kept, as the Docker CLI). */
export async function unpackLocal(
  content: Readable,
  dstDir: string,
  renames: readonly Rename[],
  signal: AbortSignal,
): Promise<void> {
  const root = ScopedRoot.open(await realpath(dstDir));
  try {
    const extract = tarStream.extract();
    content.pipe(extract);
    content.once('error', (err) => extract.destroy(err));
    await unpackTree(
      (async function* () {
        for await (const entry of extract) {
          yield { header: entry.header, data: entry as unknown as AsyncIterable<Buffer> };
        }
      })(),
      {
        root,
        dest: '/',
        lexicalRoot: dstDir,
        noOverwriteDirNonDir: true,
        owners: 'ignore',
        rename: (name) => renames.reduce(applyRename, name),
        makeNode,
        signal,
      },
    );
  } finally {
    root.close();
  }
}

async function makeNode(path: string, node: DeviceNode): Promise<void> {
  const kind = node.type === 'fifo' ? 'p' : node.type === 'block-device' ? 'b' : 'c';
  const numbers = kind === 'p' ? [] : [String(node.major), String(node.minor)];
  await execFileAsync('mknod', ['-m', node.mode.toString(8), path, kind, ...numbers]);
}

/** The tar stream of walked entries (tar-stream's encoder, fed with back-pressure). */
function tarOf(entries: AsyncIterable<TreeEntry>): Readable {
  const pack = tarStream.pack();
  const produce = async (): Promise<void> => {
    for await (const entry of entries) await addEntry(pack, entry);
    pack.finalize();
  };
  produce().catch((err: unknown) => pack.destroy(err as Error));
  return pack as unknown as Readable;
}

async function addEntry(pack: Pack, entry: TreeEntry): Promise<void> {
  const header: Partial<Header> & { name: string } = {
    name: entry.name,
    type: entry.type,
    mode: entry.mode | (TYPE_BITS[entry.type] ?? 0o100000),
    uid: entry.uid,
    gid: entry.gid,
    mtime: new Date(entry.mtime * 1000),
    size: entry.size,
    linkname: entry.linkname,
    devmajor: entry.devmajor,
    devminor: entry.devminor,
  };
  let sink!: ReturnType<Pack['entry']>;
  const written = new Promise<void>((resolveEntry, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolveEntry()));
  });
  if (entry.content !== undefined) {
    for await (const chunk of entry.content) {
      if (!sink.write(chunk))
        await new Promise<void>((drained) => sink.once('drain', () => drained()));
    }
    sink.end(undefined);
  }
  await written;
}

async function lstatOrUndefined(
  path: string,
): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
