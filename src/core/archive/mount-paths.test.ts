import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mountedPath, type VisibleMount } from './mount-paths.js';

const MOUNTS: VisibleMount[] = [
  { destination: '/data', source: '/var/lib/berth/volumes/v/_data', file: false, rw: true },
  { destination: '/data/inner', source: '/srv/inner', file: false, rw: false },
  { destination: '/etc/hosts', source: '/run/c/hosts', file: true, rw: true },
  { destination: '/etc/app.conf', source: '/home/me/app.conf', file: true, rw: false },
];

describe('mountedPath', () => {
  it('maps a path under a mount to its source, the innermost mount first', () => {
    assert.deepEqual(mountedPath('/data/x/y', MOUNTS), {
      mount: MOUNTS[0],
      root: '/var/lib/berth/volumes/v/_data',
      path: '/x/y',
      name: 'y',
    });
    assert.equal(mountedPath('/data/inner/z', MOUNTS)?.root, '/srv/inner');
    assert.equal(mountedPath('/data/inner/z', MOUNTS)?.path, '/z');
  });

  it("maps the mount point itself to its source's root, named as asked", () => {
    assert.deepEqual(
      ['/data', '/data/', '/data/.'].map((p) => {
        const m = mountedPath(p, MOUNTS);
        return [m?.path, m?.name];
      }),
      [
        ['/', 'data'],
        ['/', 'data'],
        ['/.', '.'],
      ],
    );
  });

  it('maps a file mount only at its own path, under its own name', () => {
    assert.deepEqual(mountedPath('/etc/hosts', MOUNTS), {
      mount: MOUNTS[2],
      root: '/run/c',
      path: '/hosts',
      name: 'hosts',
    });
    const conf = mountedPath('/etc/app.conf', MOUNTS);
    assert.deepEqual([conf?.root, conf?.path, conf?.name], ['/home/me', '/app.conf', 'app.conf']);
    assert.equal(mountedPath('/etc/hosts.allow', MOUNTS), undefined);
    assert.equal(mountedPath('/etc', MOUNTS), undefined);
  });

  it('leaves the root filesystem alone, lexical .. included', () => {
    assert.equal(mountedPath('/database', MOUNTS), undefined);
    assert.equal(mountedPath('/data/../etc/passwd', MOUNTS), undefined);
    assert.equal(mountedPath('/', MOUNTS), undefined);
    assert.equal(mountedPath('/tmp/../data/f', MOUNTS)?.path, '/f');
  });
});
