// Init layers: the first container on an image gets its init layer through a mount, later ones
// a copy of it (overlay2). The copies must be what the mount would have made, to the xattr.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

/** Every entry of a tree with its type, mode, owner, link target and xattrs, sorted. */
function tree(dir: string): string {
  const entries = execFileSync('find', [dir, '-mindepth', '1', '-printf', '%P %y %m %U:%G %l\n'], {
    encoding: 'utf8',
  });
  const xattrs = execFileSync('getfattr', ['-R', '-d', '-m', '-', '--absolute-names', dir], {
    encoding: 'utf8',
  }).replaceAll(dir, '');
  return `${entries.split('\n').sort().join('\n')}\n${xattrs}`;
}

describe('init layers', () => {
  let d: TestDaemon;
  const dk = (args: string[]): ReturnType<typeof docker> => docker(d.host, args);
  before(async () => {
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    await d?.cleanup();
  });

  it('copies the first one on an image for the next: the same tree, xattrs included', async () => {
    // The init layer's diff dir is the first of the container's lower dirs.
    const initDiff = async (name: string): Promise<string> => {
      const r = await dk(['inspect', '-f', '{{json .GraphDriver.Data.LowerDir}}', name]);
      assert.equal(r.code, 0, r.stderr);
      const dir = (JSON.parse(r.stdout) as string).split(':')[0] ?? '';
      assert.match(dir, /init\/diff$/);
      return dir;
    };
    assert.equal((await dk(['create', '--name', 'first', 'busybox', 'true'])).code, 0);
    const firstInit = await initDiff('first');
    assert.equal(readdirSync(join(d.dataRoot, 'init-templates')).length, 1, 'a template kept');
    assert.equal((await dk(['create', '--name', 'second', 'busybox', 'true'])).code, 0);
    const secondInit = await initDiff('second');
    assert.notEqual(secondInit, firstInit);
    const first = tree(firstInit);
    assert.match(first, /^etc d 755 0:0/m);
    assert.match(first, /^etc\/hosts f 755 0:0/m);
    assert.match(first, /^etc\/mtab l 777 0:0 \/proc\/mounts/m);
    assert.equal(tree(secondInit), first);
    // And the copy does its job: the runtime's mount targets stay out of docker diff.
    assert.equal(
      (await dk(['run', '--name', 'third', 'busybox', 'sh', '-c', 'touch /made'])).code,
      0,
    );
    assert.equal((await dk(['diff', 'third'])).stdout, 'A /made\n');
  });

  it("makes the next container's layers ahead, and leaves none of them behind", async () => {
    const overlay = join(d.dataRoot, 'overlay2');
    const layerDirs = (): string[] =>
      readdirSync(overlay).filter((n) => /^[0-9a-f]{32}(init)?$/.test(n));
    const owned = async (): Promise<Set<string>> => {
      const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      const r = await dk(['inspect', '-f', '{{json .GraphDriver.Data}}', ...ids]);
      assert.equal(r.code, 0, r.stderr);
      const dirs = r.stdout
        .trim()
        .split('\n')
        .flatMap((line) => {
          const data = JSON.parse(line) as Record<string, string>;
          return [data['UpperDir'] ?? '', ...(data['LowerDir'] ?? '').split(':')];
        });
      return new Set(dirs.map((dir) => dir.slice(overlay.length + 1).split('/')[0] ?? ''));
    };
    const spares = async (): Promise<string[]> => {
      const mine = await owned();
      return layerDirs().filter((n) => !mine.has(n));
    };
    const waitForSpares = async (count: number): Promise<string[]> => {
      for (let i = 0; i < 100; i++) {
        const found = await spares();
        if (found.length === count) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      return spares();
    };
    assert.equal((await dk(['create', '--name', 'ahead1', 'busybox', 'true'])).code, 0);
    const spare = (await waitForSpares(2)).sort();
    assert.match(spare[0] ?? '', /^[0-9a-f]{32}$/);
    assert.equal(spare[1], `${spare[0]}init`);
    // The next container of the image takes them, and another pair is made.
    assert.equal((await dk(['create', '--name', 'ahead2', 'busybox', 'true'])).code, 0);
    const taken = JSON.parse(
      (await dk(['inspect', '-f', '{{json .GraphDriver.Data.UpperDir}}', 'ahead2'])).stdout,
    ) as string;
    assert.equal(taken, join(overlay, spare[0] ?? '', 'diff'));
    assert.equal((await waitForSpares(2)).length, 2);
    assert.equal((await dk(['start', '-a', 'ahead2'])).code, 0);
    // A daemon that stops removes its spares; one that crashed has them collected at start.
    // (The daemons below answer on d's socket, so dk reaches them.)
    d.process.kill('SIGTERM');
    assert.equal((await d.exited).code, 0);
    const crashing = await startDaemon({ reuseDir: d.dir });
    try {
      assert.deepEqual(await spares(), []);
      assert.equal((await dk(['create', '--name', 'ahead3', 'busybox', 'true'])).code, 0);
      assert.equal((await waitForSpares(2)).length, 2);
      crashing.process.kill('SIGKILL');
      await crashing.exited;
    } finally {
      await crashing.cleanup();
    }
    const last = await startDaemon({ reuseDir: d.dir });
    try {
      assert.deepEqual(await spares(), []);
      const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      assert.equal((await dk(['rm', '-f', ...ids])).code, 0);
    } finally {
      await last.cleanup();
    }
  });
});
