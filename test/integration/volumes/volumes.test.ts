// Volumes through the real Docker CLI: named volumes (create, ls with filters, inspect, rm, prune),
// data kept across containers, copy-up of the image's content, anonymous volumes (rm -v, --rm),
// binds (ro refuses writes, a file, a missing source), --mount (bind, volume, tmpfs),
// --volumes-from, local driver options (tmpfs, bind), system df, ps --filter volume, events.
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiRequest, messageOf } from '../../helpers/api.js';
import { docker, run, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

interface MountJson {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

function mountedUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(dir));
}

describe('volumes', () => {
  let d: TestDaemon;
  let hostDir: string;
  const dk = (args: string[], timeoutMs = 60_000): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs });
  const ok = async (args: string[]): Promise<string> => {
    const r = await dk(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const mountsOf = async (container: string): Promise<MountJson[]> =>
    JSON.parse(await ok(['inspect', '--format', '{{json .Mounts}}', container])) as MountJson[];

  before(async () => {
    d = await startDaemon();
    hostDir = mkdtempSync(join(tmpdir(), 'berth-vol-host-'));
    await ok(['load', '-i', busyboxArchive()]);
    // An image with a VOLUME and content under it, for copy-up and anonymous volumes.
    await ok([
      'run',
      '--name',
      'seed',
      'busybox',
      'sh',
      '-c',
      'mkdir -p /data/sub && echo from-image > /data/hello && chown 123:456 /data/hello && ' +
        'chmod 640 /data/hello && ln -s hello /data/link && chmod 1750 /data/sub && ' +
        'mkdir /inner && echo inside > /inner/marker && ln -s /../../inner /escape',
    ]);
    await ok(['commit', '--change', 'VOLUME /data', 'seed', 'volimg']);
    await ok(['rm', 'seed']);
  });

  after(async () => {
    try {
      const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await dk(['rm', '-f', '-v', ...ids]);
    } finally {
      const root = d.dataRoot;
      const dir = d.dir;
      await d.cleanup();
      // The last daemon may run on the first one's directory (the restart test): remove it.
      rmSync(dir, { recursive: true, force: true });
      rmSync(hostDir, { recursive: true, force: true });
      assert.deepEqual(mountedUnder(root), [], 'nothing stays mounted under the data root');
    }
  });

  it('creates, inspects, lists and removes a named volume', async () => {
    assert.equal(
      (await ok(['volume', 'create', '--label', 'team=a', 'vol-one'])).trim(),
      'vol-one',
    );
    const [v] = JSON.parse(await ok(['volume', 'inspect', 'vol-one'])) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(v ?? {}), [
      'CreatedAt',
      'Driver',
      'Labels',
      'Mountpoint',
      'Name',
      'Options',
      'Scope',
    ]);
    assert.equal(v?.['Name'], 'vol-one');
    assert.equal(v?.['Driver'], 'local');
    assert.equal(v?.['Scope'], 'local');
    assert.deepEqual(v?.['Labels'], { team: 'a' });
    assert.equal(v?.['Options'], null);
    assert.equal(v?.['Mountpoint'], join(d.dataRoot, 'volumes', 'vol-one', '_data'));
    assert.match(String(v?.['CreatedAt']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(statSync(join(d.dataRoot, 'volumes', 'vol-one', '_data')).isDirectory());
    // The untyped inspect finds volumes too (after container, image and network say 404).
    assert.equal((await ok(['inspect', '--format', '{{.Name}}', 'vol-one'])).trim(), 'vol-one');
    // Creating it again is fine and changes nothing.
    assert.equal((await ok(['volume', 'create', 'vol-one'])).trim(), 'vol-one');
    await ok(['volume', 'create', 'vol-two']);
    assert.equal((await ok(['volume', 'ls', '-q', '--filter', 'label=team=a'])).trim(), 'vol-one');
    assert.equal((await ok(['volume', 'ls', '-q', '--filter', 'name=two'])).trim(), 'vol-two');
    const all = (await ok(['volume', 'ls', '-q', '--filter', 'driver=local'])).split('\n');
    assert.ok(all.includes('vol-one') && all.includes('vol-two'));
    const bad = await dk(['volume', 'ls', '--filter', 'colour=red']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid filter 'colour'/);
    await ok(['volume', 'rm', 'vol-one', 'vol-two']);
    const gone = await dk(['volume', 'inspect', 'vol-one']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /get vol-one: no such volume/);
    assert.equal(existsSync(join(d.dataRoot, 'volumes', 'vol-one')), false);
  });

  it('refuses bad names and options with 400, and a missing volume with 404', async () => {
    const slash = await dk(['volume', 'create', '../escape']);
    assert.equal(slash.code, 1);
    assert.match(
      slash.stderr,
      /create \.\.\/escape: "\.\.\/escape" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed/,
    );
    assert.equal(existsSync(join(d.dataRoot, 'escape')), false);
    const short = await apiRequest(d.socket, 'POST', '/v1.41/volumes/create', '{"Name":"x"}');
    assert.equal(short.status, 400);
    assert.match(messageOf(short), /volume name is too short/);
    const opt = await dk(['volume', 'create', '-o', 'colour=red', 'optvol']);
    assert.equal(opt.code, 1);
    assert.match(opt.stderr, /create optvol: invalid option: "colour"/);
    const missing = await apiRequest(d.socket, 'DELETE', '/v1.41/volumes/nosuchvol');
    assert.equal(missing.status, 404);
    assert.equal(messageOf(missing), 'get nosuchvol: no such volume');
    assert.equal((await dk(['volume', 'rm', '-f', 'nosuchvol'])).code, 0);
    const plugin = await apiRequest(
      d.socket,
      'POST',
      '/v1.41/volumes/create',
      '{"Name":"pv","Driver":"nosuchdriver"}',
    );
    assert.equal(plugin.status, 404);
    assert.match(messageOf(plugin), /^create pv: error looking up volume plugin nosuchdriver/);
    const wrongType = await apiRequest(d.socket, 'POST', '/v1.41/volumes/create', '{"Name":5}');
    assert.equal(wrongType.status, 400);
    const list = (await ok(['volume', 'ls', '-q'])).trim();
    assert.equal(list, '', 'nothing half-made');
  });

  it('a named volume keeps its data across containers, and is refused removal while used', async () => {
    await ok(['run', '--rm', '-v', 'keep:/d', 'busybox', 'sh', '-c', 'echo kept > /d/f']);
    assert.equal(await ok(['run', '--rm', '-v', 'keep:/d', 'busybox', 'cat', '/d/f']), 'kept\n');
    const id = (await ok(['create', '--name', 'holder', '-v', 'keep:/d', 'busybox'])).trim();
    const rm = await apiRequest(d.socket, 'DELETE', '/v1.41/volumes/keep');
    assert.equal(rm.status, 409);
    assert.equal(messageOf(rm), `remove keep: volume is in use - [${id}]`);
    const cli = await dk(['volume', 'rm', 'keep']);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /volume is in use/);
    assert.equal((await ok(['ps', '-aq', '--no-trunc', '--filter', 'volume=keep'])).trim(), id);
    const [m] = await mountsOf('holder');
    assert.deepEqual(m, {
      Type: 'volume',
      Name: 'keep',
      Source: join(d.dataRoot, 'volumes', 'keep', '_data'),
      Destination: '/d',
      Driver: 'local',
      Mode: 'z',
      RW: true,
      Propagation: '',
    });
    await ok(['rm', 'holder']);
    assert.equal((await ok(['volume', 'ls', '-q', '--filter', 'dangling=true'])).trim(), 'keep');
    await ok(['volume', 'rm', 'keep']);
  });

  it("copies the image's content into an empty volume, keeping owners, modes and links", async () => {
    const out = await ok([
      'run',
      '--rm',
      '-v',
      'copied:/data',
      'volimg',
      'sh',
      '-c',
      'cat /data/hello; stat -c "%u:%g %a" /data/hello /data/sub; readlink /data/link',
    ]);
    assert.equal(out, 'from-image\n123:456 640\n0:0 1750\nhello\n');
    // Not copied again over what the volume holds now.
    await ok(['run', '--rm', '-v', 'copied:/data', 'busybox', 'sh', '-c', 'rm /data/hello']);
    const again = await ok(['run', '--rm', '-v', 'copied:/data', 'volimg', 'ls', '/data']);
    assert.equal(again, 'link\nsub\n');
    // A destination that is a symlink resolves inside the container's root, for the copy
    // and for the mount.
    assert.equal(
      await ok(['run', '--rm', '-v', 'linked:/escape', 'volimg', 'cat', '/inner/marker']),
      'inside\n',
    );
    assert.equal(
      readFileSync(join(d.dataRoot, 'volumes', 'linked', '_data', 'marker'), 'utf8'),
      'inside\n',
    );
    // nocopy leaves a new volume empty.
    assert.equal(
      await ok(['run', '--rm', '-v', 'nocopied:/data:nocopy', 'volimg', 'ls', '/data']),
      '',
    );
    await ok(['volume', 'rm', 'copied', 'nocopied', 'linked']);
  });

  it("makes anonymous volumes for the image's VOLUME; rm -v and --rm remove them", async () => {
    await ok(['create', '--name', 'anon', 'volimg']);
    const [m] = await mountsOf('anon');
    assert.equal(m?.Type, 'volume');
    assert.match(m?.Name ?? '', /^[0-9a-f]{64}$/);
    assert.equal(m?.Destination, '/data');
    assert.equal(m?.Mode, '');
    const [v] = JSON.parse(await ok(['volume', 'inspect', m?.Name ?? ''])) as {
      Labels: Record<string, string>;
    }[];
    assert.deepEqual(v?.Labels, { 'com.docker.volume.anonymous': '' });
    await ok(['rm', '-v', 'anon']);
    assert.equal((await dk(['volume', 'inspect', m?.Name ?? ''])).code, 1);
    await ok(['run', '--rm', '-v', '/scratch', 'busybox', 'true']);
    assert.equal((await ok(['volume', 'ls', '-q'])).trim(), '', '--rm takes its anonymous volumes');
    // A --rm container removed by hand before it ran keeps them, as in Docker, unless -v.
    await ok(['create', '--rm', '--name', 'never-ran', '-v', '/kept', 'busybox', 'true']);
    const [kept] = await mountsOf('never-ran');
    await ok(['rm', 'never-ran']);
    await ok(['volume', 'inspect', kept?.Name ?? '']);
    await ok(['volume', 'rm', kept?.Name ?? '']);
  });

  it('binds: a read-only bind refuses writes, rw writes reach the host, a file binds too', async () => {
    writeFileSync(join(hostDir, 'note'), 'host-file\n');
    const ro = await dk([
      'run',
      '--rm',
      '-v',
      `${hostDir}:/b:ro`,
      'busybox',
      'sh',
      '-c',
      'echo x > /b/new',
    ]);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(existsSync(join(hostDir, 'new')), false);
    await ok(['run', '--rm', '-v', `${hostDir}:/b`, 'busybox', 'sh', '-c', 'echo y > /b/new']);
    assert.equal(readFileSync(join(hostDir, 'new'), 'utf8'), 'y\n');
    assert.equal(
      await ok([
        'run',
        '--rm',
        '-v',
        `${join(hostDir, 'note')}:/etc/note:ro`,
        'busybox',
        'cat',
        '/etc/note',
      ]),
      'host-file\n',
    );
    // -v creates a missing source directory; --mount refuses it, as Docker does.
    const made = join(hostDir, 'made', 'here');
    await ok(['run', '--rm', '-v', `${made}:/m`, 'busybox', 'true']);
    assert.ok(statSync(made).isDirectory());
    const missing = join(hostDir, 'absent');
    const refused = await dk([
      'run',
      '--rm',
      '--mount',
      `type=bind,src=${missing},dst=/m`,
      'busybox',
      'true',
    ]);
    assert.equal(refused.code, 125);
    assert.match(
      refused.stderr,
      new RegExp(
        `invalid mount config for type "bind": bind source path does not exist: ${missing}`,
      ),
    );
    await ok(['create', '--name', 'binder', '-v', `${hostDir}:/b:ro`, 'busybox']);
    assert.deepEqual(await mountsOf('binder'), [
      {
        Type: 'bind',
        Source: hostDir,
        Destination: '/b',
        Mode: 'ro',
        RW: false,
        Propagation: 'rprivate',
      },
    ]);
    await ok(['rm', 'binder']);
  });

  it('bind propagation: rshared shows host mounts made later, rprivate does not', async () => {
    const shared = join(hostDir, 'prop');
    mkdirSync(join(shared, 'sub'), { recursive: true });
    // Docker refuses a shared bind of a source on a private mount (this host's / is private).
    const refused = await dk(['run', '--rm', '-v', `${shared}:/x:rshared`, 'busybox', 'true']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /is mounted on .* but it is not a shared mount/);
    assert.equal((await run('mount', ['--bind', shared, shared])).code, 0);
    assert.equal((await run('mount', ['--make-shared', shared])).code, 0);
    await ok([
      'run',
      '-d',
      '--name',
      'prop-shared',
      '-v',
      `${shared}:/x:rshared`,
      'busybox',
      'sleep',
      '60',
    ]);
    await ok([
      'run',
      '-d',
      '--name',
      'prop-private',
      '-v',
      `${shared}:/x`,
      'busybox',
      'sleep',
      '60',
    ]);
    await ok([
      'run',
      '-d',
      '--name',
      'prop-slave',
      '-v',
      `${shared}:/x:rslave`,
      'busybox',
      'sleep',
      '60',
    ]);
    const sub = join(shared, 'sub');
    assert.equal((await run('mount', ['-t', 'tmpfs', 'tmpfs', sub])).code, 0);
    try {
      const seen = (name: string): Promise<string> =>
        ok(['exec', name, 'sh', '-c', 'grep -c " /x/sub " /proc/self/mountinfo || true']);
      assert.equal((await seen('prop-shared')).trim(), '1');
      assert.equal((await seen('prop-private')).trim(), '0');
      assert.equal((await seen('prop-slave')).trim(), '1');
      const [m] = await mountsOf('prop-shared');
      assert.equal(m?.Propagation, 'rshared');
    } finally {
      await ok(['rm', '-f', 'prop-shared', 'prop-private', 'prop-slave']);
      await run('umount', ['-l', sub]);
      await run('umount', ['-l', shared]);
    }
  });

  it('--mount: volume with nocopy, tmpfs with size and mode; bad specs are 400s', async () => {
    const out = await ok([
      'run',
      '--rm',
      '--mount',
      'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770',
      '--mount',
      'type=volume,src=mvol,dst=/v,volume-nocopy',
      'busybox',
      'sh',
      '-c',
      'stat -c %a /t; grep " /t " /proc/mounts; touch /v/ok && echo written',
    ]);
    const [mode, line, written] = out.trim().split('\n');
    assert.equal(mode, '1770');
    assert.match(
      line ?? '',
      /tmpfs \/t tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770/,
    );
    assert.equal(written, 'written');
    assert.ok(existsSync(join(d.dataRoot, 'volumes', 'mvol', '_data', 'ok')));
    await ok(['volume', 'rm', 'mvol']);
    const dup = await dk([
      'create',
      '-v',
      'a1:/same',
      '--mount',
      'type=volume,src=a2,dst=/same',
      'busybox',
    ]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /Duplicate mount point: \/same/);
    const rel = await dk(['create', '--tmpfs', 'tmpx', 'busybox']);
    assert.equal(rel.code, 1);
    assert.match(rel.stderr, /invalid mount path: 'tmpx' mount path must be absolute/);
    const badMode = await apiRequest(
      d.socket,
      'POST',
      '/v1.41/containers/create',
      JSON.stringify({ Image: 'busybox', HostConfig: { Binds: ['/srv:/x:bogus'] } }),
    );
    assert.equal(badMode.status, 400);
    assert.equal(messageOf(badMode), 'invalid mode: bogus');
    assert.equal((await ok(['ps', '-aq'])).trim(), '', 'no container half-made');
    assert.equal((await ok(['volume', 'ls', '-q'])).trim(), '', 'no volume half-made');
  });

  it('--volumes-from shares the mounts of another container, ro when asked', async () => {
    await ok(['create', '--name', 'source', '-v', 'shared:/shared', 'busybox']);
    await ok([
      'run',
      '--rm',
      '--volumes-from',
      'source',
      'busybox',
      'sh',
      '-c',
      'echo s > /shared/f',
    ]);
    const ro = await dk([
      'run',
      '--rm',
      '--volumes-from',
      'source:ro',
      'busybox',
      'sh',
      '-c',
      'cat /shared/f; echo z > /shared/g',
    ]);
    assert.equal(ro.stdout, 's\n');
    assert.notEqual(ro.code, 0);
    const missing = await dk(['create', '--volumes-from', 'nosuch', 'busybox']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error response from daemon: No such container: nosuch/);
    await ok(['rm', 'source']);
    await ok(['volume', 'rm', 'shared']);
  });

  it('local driver options: a tmpfs volume and a bind volume, mounted only while used', async () => {
    await ok([
      'volume',
      'create',
      '-o',
      'type=tmpfs',
      '-o',
      'device=tmpfs',
      '-o',
      'o=size=2m',
      'tvol',
    ]);
    const [v] = JSON.parse(await ok(['volume', 'inspect', 'tvol'])) as { Options: unknown }[];
    assert.deepEqual(v?.Options, { device: 'tmpfs', o: 'size=2m', type: 'tmpfs' });
    const out = await ok([
      'run',
      '--rm',
      '-v',
      'tvol:/t',
      'busybox',
      'sh',
      '-c',
      'grep " /t " /proc/mounts',
    ]);
    assert.match(out, /^tmpfs \/t tmpfs .*size=2048k/);
    assert.deepEqual(mountedUnder(join(d.dataRoot, 'volumes')), [], 'unmounted after the exit');
    await ok([
      'volume',
      'create',
      '-o',
      'type=none',
      '-o',
      'o=bind',
      '-o',
      `device=${hostDir}`,
      'bvol',
    ]);
    await ok(['run', '--rm', '-v', 'bvol:/b', 'busybox', 'sh', '-c', 'echo via-volume > /b/bv']);
    assert.equal(readFileSync(join(hostDir, 'bv'), 'utf8'), 'via-volume\n');
    assert.deepEqual(mountedUnder(join(d.dataRoot, 'volumes')), []);
    await ok(['volume', 'rm', 'tvol', 'bvol']);
    assert.ok(existsSync(join(hostDir, 'bv')), 'removing a bind volume keeps the host directory');
  });

  it('prune (API 1.41) removes every unused volume and keeps used ones; df counts them', async () => {
    await ok(['volume', 'create', 'named-keep']);
    const anon = (await ok(['volume', 'create'])).trim();
    await ok(['create', '--name', 'user', '-v', 'in-use:/x', 'busybox']);
    await ok([
      'run',
      '--rm',
      '-v',
      'in-use:/x',
      'busybox',
      'sh',
      '-c',
      'head -c 3000 /dev/zero > /x/f',
    ]);
    const df = JSON.parse(await ok(['system', 'df', '-v', '--format', '{{json .Volumes}}'])) as {
      Name: string;
      Links: number;
      Size: string;
    }[];
    const inUse = df.find((x) => x.Name === 'in-use');
    assert.equal(String(inUse?.Links), '1');
    assert.equal(inUse?.Size, '3kB');
    const pruned = await ok(['volume', 'prune', '-f']);
    assert.match(
      pruned,
      new RegExp(`Deleted Volumes:\n(${anon}\nnamed-keep|named-keep\n${anon})\n`),
    );
    assert.doesNotMatch(pruned, /in-use/);
    assert.deepEqual((await ok(['volume', 'ls', '-q'])).trim(), 'in-use');
    const badAll = await apiRequest(
      d.socket,
      'POST',
      '/v1.41/volumes/prune?filters=%7B%22all%22%3A%5B%22maybe%22%5D%7D',
    );
    assert.equal(badAll.status, 400);
    await ok(['rm', 'user']);
    await ok(['volume', 'rm', 'in-use']);
  });

  /** The events of what `act` does (a window of whole seconds around it), as `docker events` prints them. */
  const eventsOf = async (act: () => Promise<void>, args: string[]): Promise<string> => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await act();
    const until = Math.floor(Date.now() / 1000) + 1;
    return ok(['events', '--since', String(since), '--until', String(until), ...args]);
  };

  it('reports volume create, mount, unmount and destroy events', async () => {
    const out = await eventsOf(async () => {
      await ok(['run', '--rm', '-v', 'evvol:/e', 'busybox', 'true']);
      await ok(['volume', 'rm', 'evvol']);
    }, ['--filter', 'volume=evvol', '--format', '{{.Action}} {{.Actor.ID}}']);
    assert.deepEqual(out.trim().split('\n'), [
      'create evvol',
      'mount evvol',
      'unmount evvol',
      'destroy evvol',
    ]);
  });

  it("tells a container's exit before its network and volumes go, in Docker's order", async () => {
    const out = await eventsOf(async () => {
      await ok(['run', '--rm', '--name', 'evorder', '-v', 'ordvol:/o', 'busybox', 'true']);
      await ok(['volume', 'rm', 'ordvol']);
    }, [
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}',
    ]);
    // This container's events only (the window may hold the previous test's).
    const lines = out.trim().split('\n');
    const id = lines
      .find((l) => l.startsWith('container create ') && l.includes(' evorder '))
      ?.split(' ')[2];
    assert.ok(id, out);
    const seen = lines
      .filter((line) => line.split(' ').slice(2).includes(id))
      .map((line) => line.split(' ').slice(0, 2).join(' '))
      .filter((line) =>
        ['container die', 'network disconnect', 'volume unmount', 'container destroy'].includes(
          line,
        ),
      );
    assert.equal(seen[0], 'container die', out);
    assert.deepEqual(seen.slice(1, 3).sort(), ['network disconnect', 'volume unmount'], out);
    assert.equal(seen[3], 'container destroy', out);
  });

  it('volumes and the mounts of containers survive a daemon restart', async () => {
    await ok(['run', '--rm', '-v', 'persist:/p', 'busybox', 'sh', '-c', 'echo still > /p/f']);
    await ok(['create', '--name', 'keeper', '-v', 'persist:/p', '-v', '/anon', 'busybox']);
    const before = await mountsOf('keeper');
    d.process.kill('SIGTERM');
    await d.exited;
    d = await startDaemon({ reuseDir: d.dir });
    assert.deepEqual(await mountsOf('keeper'), before);
    const rm = await dk(['volume', 'rm', 'persist']);
    assert.match(rm.stderr, /remove persist: volume is in use/);
    assert.equal(
      await ok(['run', '--rm', '-v', 'persist:/p', 'busybox', 'cat', '/p/f']),
      'still\n',
    );
    await ok(['rm', '-v', 'keeper']);
    assert.equal((await ok(['volume', 'ls', '-q'])).trim(), 'persist');
    await ok(['volume', 'rm', 'persist']);
  });
});
