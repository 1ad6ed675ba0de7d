// Crafting layer tars in memory and checking what applying them left on disk.

import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import tarStream from 'tar-stream';
import { Readable } from 'node:stream';

export interface TarEntry {
  readonly name: string;
  readonly type?:
    'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Seconds. */
  readonly mtime?: number;
  readonly devmajor?: number;
  readonly devminor?: number;
  readonly pax?: Record<string, string>;
}

export const MTIME = 1_600_000_000;

/** A tar (with its end-of-archive blocks) made by tar-stream's pack. */
export async function makeTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const entry of entries) {
    const { content, mtime, ...header } = entry;
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        { type: 'file', mtime: new Date((mtime ?? MTIME) * 1000), ...header },
        typeof content === 'string' ? Buffer.from(content) : (content ?? Buffer.alloc(0)),
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export function streamOf(data: Buffer): Readable {
  return Readable.from([data]);
}

export interface Dirs {
  readonly base: string;
  /** Where layers are applied. */
  readonly target: string;
  /** A sentinel next to the target that must stay empty. */
  readonly outside: string;
}

/** Runs `fn` with fresh directories under os.tmpdir(), removed afterwards. */
export async function withDirs<T>(fn: (dirs: Dirs) => Promise<T>): Promise<T> {
  const base = await mkdtemp(join(tmpdir(), 'berth-archive-'));
  try {
    const dirs = { base, target: join(base, 'target'), outside: join(base, 'outside') };
    await mkdir(dirs.target);
    await mkdir(dirs.outside);
    return await fn(dirs);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

export async function assertEmpty(dir: string): Promise<void> {
  assert.deepEqual(await readdir(dir), []);
}

/** One xattr's value as hex, read with getfattr (-h: a symlink's own). */
export function getXattr(path: string, name: string): string | undefined {
  const run = spawnSync('getfattr', ['-h', '-n', name, '-e', 'hex', '--absolute-names', path], {
    encoding: 'utf8',
  });
  const line = run.stdout.split('\n').find((text) => text.startsWith(`${name}=`));
  return run.status === 0 && line !== undefined ? line.slice(name.length + 1) : undefined;
}
