import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fillInitLayer, initLayerId } from './init-layer.js';

describe('init layer', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-init-layer-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('is named after the writable layer, in the ids drivers accept', () => {
    assert.match(initLayerId('0123456789abcdef0123456789abcdef'), /^[a-z0-9]{1,64}$/);
    assert.notEqual(initLayerId('ab'), 'ab');
  });

  it("creates Docker's mount targets the image lacks, and nothing else", async () => {
    const rootfs = join(work, 'empty');
    await mkdir(rootfs);
    await fillInitLayer(rootfs);
    assert.deepEqual((await readdir(rootfs)).sort(), ['.dockerenv', 'dev', 'etc', 'proc', 'sys']);
    assert.deepEqual((await readdir(join(rootfs, 'etc'))).sort(), [
      'hostname',
      'hosts',
      'mtab',
      'resolv.conf',
    ]);
    assert.deepEqual((await readdir(join(rootfs, 'dev'))).sort(), ['console', 'pts', 'shm']);
    assert.equal(await readlink(join(rootfs, 'etc', 'mtab')), '/proc/mounts');
    const hosts = await lstat(join(rootfs, 'etc', 'hosts'));
    assert.ok(hosts.isFile());
    assert.equal(hosts.size, 0);
    assert.equal(hosts.mode & 0o777, 0o755);
  });

  it("keeps the image's own entries, and writes nothing through a symlink", async () => {
    const rootfs = join(work, 'image');
    const outside = join(work, 'outside');
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(rootfs, 'etc', 'hosts'), 'image hosts');
    await symlink(outside, join(rootfs, 'dev'));
    await fillInitLayer(rootfs);
    assert.equal((await lstat(join(rootfs, 'etc', 'hosts'))).size, 'image hosts'.length);
    assert.deepEqual(await readdir(outside), [], 'nothing written outside the rootfs');
    assert.ok((await lstat(join(rootfs, 'dev'))).isSymbolicLink());
  });
});
