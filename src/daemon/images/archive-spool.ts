import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { invalidArgument, isBerthError } from '../../core/errors.js';

/**
 * An image archive (docker-archive or OCI layout) unpacked to a private directory: plain files
 * only, every name checked to stay inside, symlinks (old `docker save` links shared layers)
 * resolved by name.
 */
export class ArchiveSpool {
  readonly #links = new Map<string, string>();
  readonly #files = new Set<string>();

  private constructor(readonly dir: string) {}

  static async unpack(source: Readable, dir: string, signal?: AbortSignal): Promise<ArchiveSpool> {
    const spool = new ArchiveSpool(dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tar = extract();
    const consume = (async () => {
      for await (const entry of tar) {
        const name = spool.#clean(entry.header.name);
        if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') {
          const path = join(dir, name);
          await mkdir(dirname(path), { recursive: true, mode: 0o700 });
          await pipeline(entry, createWriteStream(path, { mode: 0o600 }), { signal });
          spool.#files.add(name);
        } else {
          if (entry.header.type === 'symlink' && entry.header.linkname) {
            spool.#links.set(name, posix.join(posix.dirname(name), entry.header.linkname));
          }
          entry.resume();
        }
      }
    })();
    await Promise.all([
      pipeline(source, tar, { signal }).catch((err: unknown) => {
        throw invalidArgument(`the archive is not a readable tar: ${(err as Error).message}`);
      }),
      consume,
    ]);
    return spool;
  }

  #clean(raw: string): string {
    const name = posix.normalize(raw.replace(/^\.\//, '')).replace(/\/$/, '');
    if (name.startsWith('/') || name === '..' || name.startsWith('../') || name.includes('\0')) {
      throw invalidArgument(`invalid archive entry name ${JSON.stringify(raw)}`);
    }
    return name;
  }

  /** The spooled file for an archive path, following the archive's own symlinks. */
  path(name: string): string {
    let at = this.#clean(name);
    for (let hops = 0; !this.#files.has(at); hops++) {
      const next = this.#links.get(at);
      if (next === undefined || hops > 16) throw invalidArgument(`the archive has no file ${name}`);
      at = this.#clean(next);
    }
    return join(this.dir, at);
  }

  has(name: string): boolean {
    try {
      this.path(name);
      return true;
    } catch (err) {
      if (isBerthError(err, 'invalid-argument')) return false;
      throw err;
    }
  }

  async readJson<T>(name: string): Promise<T> {
    const text = await readFile(this.path(name), 'utf8');
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw invalidArgument(`${name} in the archive is not valid JSON: ${(err as Error).message}`);
    }
  }

  async readBytes(name: string): Promise<Buffer> {
    return readFile(this.path(name));
  }
}
