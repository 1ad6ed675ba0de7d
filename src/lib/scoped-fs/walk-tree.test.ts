import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ScopedRoot } from './scoped-root.js';
import { walkTree, type TreeEntry } from './walk-tree.js';

describe('walkTree', () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-walk-'));
  let root: ScopedRoot;
  let server: Server;

  before(async () => {
    mkdirSync(join(base, 'd', 'sub'), { recursive: true });
    writeFileSync(join(base, 'd', 'b'), 'bbb');
    writeFileSync(join(base, 'd', 'a'), 'a');
    linkSync(join(base, 'd', 'a'), join(base, 'd', 'z-hard'));
    symlinkSync('/etc/passwd', join(base, 'd', 'sub', 'link'));
    server = createServer();
    await new Promise<void>((resolve) => server.listen(join(base, 'd', 'sock'), resolve));
    root = ScopedRoot.open(base);
  });
  after(async () => {
    root.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(base, { recursive: true, force: true });
  });

  async function walk(path: string, name: string): Promise<[string, string, string][]> {
    const found = root.find(path);
    const out: [string, string, string][] = [];
    try {
      for await (const entry of walkTree(found, { name })) {
        out.push([entry.type, entry.name, await contentOf(entry)]);
      }
    } finally {
      root.release(found.dir);
    }
    return out;
  }

  async function contentOf(entry: TreeEntry): Promise<string> {
    if (entry.type === 'symlink' || entry.type === 'link') return `-> ${entry.linkname ?? ''}`;
    if (entry.content === undefined) return '';
    const chunks: Buffer[] = [];
    for await (const chunk of entry.content) chunks.push(chunk);
    return Buffer.concat(chunks).toString();
  }

  it('lists a directory in byte order under its name, without following symlinks or sockets', async () => {
    assert.deepEqual(await walk('/d', 'd'), [
      ['directory', 'd', ''],
      ['file', 'd/a', 'a'],
      ['file', 'd/b', 'bbb'],
      ['directory', 'd/sub', ''],
      ['symlink', 'd/sub/link', '-> /etc/passwd'],
      ['link', 'd/z-hard', '-> d/a'],
    ]);
  });

  it('names the content of "dir/." as "./...", and of a whole tree without a top entry', async () => {
    const dot = await walk('/d/.', '.');
    assert.deepEqual(dot.slice(0, 2), [
      ['directory', '.', ''],
      ['file', './a', 'a'],
    ]);
    const tree = await walk('/', '');
    assert.deepEqual(tree[0], ['directory', 'd', '']);
    const rooted = await walk('/', '/');
    assert.deepEqual(rooted.slice(0, 2), [
      ['directory', '/', ''],
      ['directory', '/d', ''],
    ]);
  });

  it('gives a single file or symlink as one entry', async () => {
    assert.deepEqual(await walk('/d/b', 'renamed'), [['file', 'renamed', 'bbb']]);
    assert.deepEqual(await walk('/d/sub/link', 'link'), [['symlink', 'link', '-> /etc/passwd']]);
  });
});
