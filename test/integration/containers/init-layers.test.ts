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
    const layers = join(d.dataRoot, 'overlay2');
    const initDirs = (): string[] => readdirSync(layers).filter((n) => n.endsWith('init'));
    assert.equal((await dk(['create', '--name', 'first', 'busybox', 'true'])).code, 0);
    const [firstInit] = initDirs();
    assert.ok(firstInit);
    assert.equal(readdirSync(join(d.dataRoot, 'init-templates')).length, 1, 'a template kept');
    assert.equal((await dk(['create', '--name', 'second', 'busybox', 'true'])).code, 0);
    const secondInit = initDirs().find((n) => n !== firstInit);
    assert.ok(secondInit);
    const first = tree(join(layers, firstInit, 'diff'));
    assert.match(first, /^etc d 755 0:0/m);
    assert.match(first, /^etc\/hosts f 755 0:0/m);
    assert.match(first, /^etc\/mtab l 777 0:0 \/proc\/mounts/m);
    assert.equal(tree(join(layers, secondInit, 'diff')), first);
    // And the copy does its job: the runtime's mount targets stay out of docker diff.
    assert.equal(
      (await dk(['run', '--name', 'third', 'busybox', 'sh', '-c', 'touch /made'])).code,
      0,
    );
    assert.equal((await dk(['diff', 'third'])).stdout, 'A /made\n');
  });
});
