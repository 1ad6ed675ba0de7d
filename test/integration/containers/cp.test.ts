// docker cp in both directions and docker export, through the real Docker CLI (and raw
// requests on the socket for what the CLI never sends): running, created and exited
// containers, symlinks inside the container that point at "/" or climb with "..", crafted
// archives, the errors Docker gives, ownership with -a, and the berth client's cp and export.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Header } from 'tar-stream';
import {
  berth,
  docker,
  startDaemon,
  waitFor,
  BERTH_BIN,
  type TestDaemon,
} from '../../helpers/daemon.js';
import { busyboxArchive, readTar, tarOf } from '../../helpers/image-archive.js';

interface ByteResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a command whose stdout is binary (a tar), killed after timeoutMs. */
function runBytes(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<ByteResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request on the daemon's unix socket (what a crafted client would send). */
function request(
  socketPath: string,
  method: string,
  path: string,
  body?: Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method,
        path,
        headers: body ? { 'Content-Type': 'text/plain' } : {},
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const archiveQuery = (path: string, extra = ''): string =>
  `?path=${encodeURIComponent(path)}${extra}`;

describe('docker cp and docker export', () => {
  let d: TestDaemon;
  let work: string;
  let dockerConfig: string;
  /** A host directory that nothing may ever write into; the container has one at the same path. */
  let sentinel: string;
  let env: NodeJS.ProcessEnv;
  const dk = (args: string[], timeoutMs = 60_000): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs });
  const dkBytes = (args: string[]): Promise<ByteResult> => runBytes('docker', args, env);

  /** The files of a container path, by name, as `docker cp c:path -` gives them. */
  async function tarFrom(
    container: string,
    path: string,
  ): Promise<Map<string, { header: Header; body: Buffer }>> {
    const r = await dkBytes(['cp', `${container}:${path}`, '-']);
    assert.equal(r.code, 0, r.stderr);
    return readTar(r.stdout);
  }

  async function contentIn(container: string, path: string): Promise<string> {
    const files = await tarFrom(container, path);
    const entry = [...files.values()][0];
    assert.ok(entry, `${path} is in the archive`);
    return entry.body.toString();
  }

  function sentinelUntouched(): void {
    assert.deepEqual(readdirSync(sentinel), ['keep']);
    assert.equal(readFileSync(join(sentinel, 'keep'), 'utf8'), 'host sentinel\n');
  }

  before(async () => {
    d = await startDaemon();
    work = await mkdtemp(join(tmpdir(), 'berth-cp-work-'));
    dockerConfig = await mkdtemp(join(tmpdir(), 'berth-dockercfg-'));
    env = { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: dockerConfig };
    sentinel = join(work, 'sentinel');
    mkdirSync(sentinel);
    writeFileSync(join(sentinel, 'keep'), 'host sentinel\n');
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
    const setup = [
      'mkdir -p /d/sub',
      'echo hi > /d/a',
      'echo s > /d/sub/b',
      'ln -s / /escape',
      'ln -s ../../../../../../.. /up',
      `mkdir -p ${sentinel}`,
      `echo inside > ${sentinel}/keep`,
      'touch /ready',
      'exec sleep 1000',
    ].join(' && ');
    const r = await dk(['run', '-d', '--name', 'cp-src', 'busybox', 'sh', '-c', setup]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(
      'the fixture container to be ready',
      async () => (await dkBytes(['cp', 'cp-src:/ready', '-'])).code === 0,
      30_000,
      200,
    );
  });

  after(async () => {
    try {
      if (d !== undefined) {
        const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
        if (ids.length > 0) await dk(['rm', '-f', ...ids]);
        assert.equal(
          readFileSync('/proc/self/mountinfo', 'utf8').includes(d.dataRoot),
          false,
          'nothing stays mounted',
        );
      }
    } finally {
      await d?.cleanup();
      if (work) await rm(work, { recursive: true, force: true });
      if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
    }
  });

  it('copies a host file and a host directory into a running container', async () => {
    writeFileSync(join(work, 'in.txt'), 'into the container\n');
    mkdirSync(join(work, 'tree', 'sub'), { recursive: true });
    writeFileSync(join(work, 'tree', 'sub', 'leaf'), 'leaf\n');
    assert.equal((await dk(['cp', join(work, 'in.txt'), 'cp-src:/in.txt'])).code, 0);
    assert.equal((await dk(['cp', join(work, 'tree'), 'cp-src:/tmp'])).code, 0);
    // A new name for a directory, and a directory's content into an existing one.
    assert.equal((await dk(['cp', join(work, 'tree'), 'cp-src:/renamed'])).code, 0);
    assert.equal((await dk(['cp', `${join(work, 'tree')}/.`, 'cp-src:/d'])).code, 0);
    assert.equal(await contentIn('cp-src', '/in.txt'), 'into the container\n');
    assert.deepEqual(
      [...(await tarFrom('cp-src', '/tmp/tree')).keys()],
      ['tree/', 'tree/sub/', 'tree/sub/leaf'],
    );
    assert.equal(await contentIn('cp-src', '/renamed/sub/leaf'), 'leaf\n');
    assert.equal(await contentIn('cp-src', '/d/sub/leaf'), 'leaf\n');
  });

  it('copies a file and a directory out of a container, and dir/. as its content', async () => {
    const out = join(work, 'out');
    mkdirSync(out);
    assert.equal((await dk(['cp', 'cp-src:/d/a', join(out, 'a-copy')])).code, 0);
    assert.equal((await dk(['cp', 'cp-src:/d', out])).code, 0);
    assert.equal((await dk(['cp', 'cp-src:/d/sub/.', join(out, 'content')])).code, 0);
    assert.equal(readFileSync(join(out, 'a-copy'), 'utf8'), 'hi\n');
    assert.equal(readFileSync(join(out, 'd', 'a'), 'utf8'), 'hi\n');
    assert.equal(readFileSync(join(out, 'd', 'sub', 'b'), 'utf8'), 's\n');
    assert.deepEqual(readdirSync(join(out, 'content')).sort(), ['b', 'leaf']);
  });

  it('writes a tar of a container path to stdout with `-`, and answers the stat header', async () => {
    const files = await tarFrom('cp-src', '/d/sub');
    assert.deepEqual([...files.keys()].sort(), ['sub/', 'sub/b', 'sub/leaf']);
    assert.equal(files.get('sub/b')?.body.toString(), 's\n');
    const head = await request(
      d.socket,
      'HEAD',
      `/v1.41/containers/cp-src/archive${archiveQuery('/d/')}`,
    );
    assert.equal(head.status, 200);
    const stat = JSON.parse(
      Buffer.from(String(head.headers['x-docker-container-path-stat']), 'base64').toString(),
    ) as { name: string; mode: number; size: number; mtime: string; linkTarget: string };
    assert.equal(stat.name, 'd');
    assert.equal(stat.mode, 2 ** 31 + 0o755);
    assert.match(stat.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const link = await request(
      d.socket,
      'HEAD',
      `/v1.41/containers/cp-src/archive${archiveQuery('/escape')}`,
    );
    const linkStat = JSON.parse(
      Buffer.from(String(link.headers['x-docker-container-path-stat']), 'base64').toString(),
    ) as { mode: number; linkTarget: string };
    assert.equal(linkStat.mode, 2 ** 27 + 0o777);
    assert.equal(linkStat.linkTarget, '/');
  });

  it('copies into a created container, which sees the file once started, and into an exited one', async () => {
    assert.equal(
      (await dk(['create', '--name', 'cp-stopped', 'busybox', 'cat', '/greeting.txt'])).code,
      0,
    );
    writeFileSync(join(work, 'greeting.txt'), 'hello from the host\n');
    assert.equal((await dk(['cp', join(work, 'greeting.txt'), 'cp-stopped:/'])).code, 0);
    const first = await dk(['start', '-a', 'cp-stopped']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'hello from the host\n');
    writeFileSync(join(work, 'greeting.txt'), 'second copy\n');
    assert.equal(
      (await dk(['cp', join(work, 'greeting.txt'), 'cp-stopped:/greeting.txt'])).code,
      0,
    );
    assert.equal((await dk(['start', '-a', 'cp-stopped'])).stdout, 'second copy\n');
    assert.equal(await contentIn('cp-stopped', '/greeting.txt'), 'second copy\n');
  });

  it('follows a symlink to "/" or "../.." inside the container only to the container\'s root', async () => {
    writeFileSync(join(work, 'evil.txt'), 'written through a symlink\n');
    // Into the container: the links lead to the container's copy of the sentinel path.
    assert.equal(
      (await dk(['cp', join(work, 'evil.txt'), `cp-src:/escape${sentinel}/keep`])).code,
      0,
    );
    assert.equal((await dk(['cp', join(work, 'evil.txt'), `cp-src:/up${sentinel}/`])).code, 0);
    sentinelUntouched();
    assert.equal(await contentIn('cp-src', `${sentinel}/keep`), 'written through a symlink\n');
    assert.equal(await contentIn('cp-src', `${sentinel}/evil.txt`), 'written through a symlink\n');
    // A path that exists on the host but not in the container is not found.
    const missing = await dk(['cp', join(work, 'evil.txt'), `cp-src:/escape${work}/out/evil.txt`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Could not find the file/);
    assert.equal(existsSync(join(work, 'out', 'evil.txt')), false);
    // Out of the container: what is read is the container's file, never the host's.
    const out = join(work, 'through-links');
    mkdirSync(out);
    assert.equal((await dk(['cp', `cp-src:/escape${sentinel}/keep`, join(out, 'a')])).code, 0);
    assert.equal((await dk(['cp', `cp-src:/up/../..${sentinel}/keep`, join(out, 'b')])).code, 0);
    assert.equal(readFileSync(join(out, 'a'), 'utf8'), 'written through a symlink\n');
    assert.equal(readFileSync(join(out, 'b'), 'utf8'), 'written through a symlink\n');
    assert.equal(
      await contentIn('cp-src', '/up/etc/passwd'),
      await contentIn('cp-src', '/etc/passwd'),
    );
    sentinelUntouched();
  });

  it('keeps a crafted archive with "../" names and absolute symlinks inside the container', async () => {
    const archive = await tarOf([
      {
        header: { name: `../../../../../../../..${sentinel}/dotdot`, size: 2 },
        body: Buffer.from('1\n'),
      },
      { header: { name: `${sentinel}/absolute`, size: 2 }, body: Buffer.from('2\n') },
      { header: { name: 'rootlink', type: 'symlink', linkname: '/' } },
      { header: { name: `rootlink${sentinel}/vialink`, size: 2 }, body: Buffer.from('3\n') },
      { header: { name: 'hostlink', type: 'symlink', linkname: sentinel } },
      { header: { name: 'hostlink/keep', size: 6 }, body: Buffer.from('owned\n') },
    ]);
    const put = await request(
      d.socket,
      'PUT',
      `/v1.41/containers/cp-src/archive${archiveQuery('/', '&noOverwriteDirNonDir=true')}`,
      archive,
    );
    assert.equal(put.status, 200, put.body.toString());
    sentinelUntouched();
    // Where the entries went: all inside the container.
    assert.equal(await contentIn('cp-src', `${sentinel}/dotdot`), '1\n');
    assert.equal(await contentIn('cp-src', `${sentinel}/absolute`), '2\n');
    assert.equal(await contentIn('cp-src', `${sentinel}/vialink`), '3\n');
    assert.equal(await contentIn('cp-src', `${sentinel}/keep`), 'owned\n');

    const refused: [Buffer, string][] = [
      [
        await tarOf([{ header: { name: 'u', type: 'symlink', linkname: '../../../../../../..' } }]),
        'Error processing tar file(exit status 1): invalid symlink "/tmp/u" -> "../../../../../../.."',
      ],
      [
        await tarOf([{ header: { name: 'h', type: 'link', linkname: '../../../../etc/shadow' } }]),
        'Error processing tar file(exit status 1): invalid hardlink "/etc/shadow" -> "../../../../etc/shadow"',
      ],
      [
        await tarOf([{ header: { name: '../x', size: 1 }, body: Buffer.from('x') }]),
        'Error processing tar file(exit status 1): "../x" is outside of "/tmp"',
      ],
    ];
    for (const [body, message] of refused) {
      const r = await request(
        d.socket,
        'PUT',
        `/v1.41/containers/cp-src/archive${archiveQuery('/tmp')}`,
        body,
      );
      assert.equal(r.status, 500);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal((JSON.parse(r.body.toString()) as { message: string }).message, message);
    }
    const garbage = await request(
      d.socket,
      'PUT',
      `/v1.41/containers/cp-src/archive${archiveQuery('/tmp')}`,
      Buffer.alloc(4096, 0x41),
    );
    assert.equal(garbage.status, 500);
    assert.match(garbage.body.toString(), /Error processing tar file/);
    sentinelUntouched();
    assert.equal((await dk(['version'])).code, 0, 'the daemon is still up');
  });

  it('answers a missing container, a missing path and an empty path as Docker does', async () => {
    writeFileSync(join(work, 'x.txt'), 'x');
    const noContainer = await dk(['cp', join(work, 'x.txt'), 'cp-nope:/x']);
    assert.equal(noContainer.code, 1);
    assert.equal(
      noContainer.stderr.trim(),
      'Error response from daemon: No such container: cp-nope',
    );
    const noContainerOut = await dk(['cp', 'cp-nope:/x', join(work, 'x-out')]);
    assert.equal(noContainerOut.code, 1);
    assert.match(noContainerOut.stderr, /No such container: cp-nope/);
    const noPath = await dk(['cp', 'cp-src:/nonexist', join(work, 'x-out')]);
    assert.equal(noPath.code, 1);
    assert.equal(
      noPath.stderr.trim(),
      'Error response from daemon: Could not find the file /nonexist in container cp-src',
    );
    const noDir = await dk(['cp', join(work, 'x.txt'), 'cp-src:/nodir/x.txt']);
    assert.equal(noDir.code, 1);
    assert.match(noDir.stderr, /Could not find the file \/nodir in container cp-src/);
    const notDir = await dk(['cp', join(work, 'x.txt'), 'cp-src:/d/a/x.txt']);
    assert.equal(notDir.code, 1);
    assert.match(notDir.stderr, /extraction point is not a directory/);
    assert.equal(existsSync(join(work, 'x-out')), false);

    const head = await request(
      d.socket,
      'HEAD',
      `/v1.41/containers/cp-src/archive${archiveQuery('/nonexist')}`,
    );
    assert.equal(head.status, 404);
    const empty = await request(d.socket, 'GET', '/v1.41/containers/cp-src/archive?path=');
    assert.equal(empty.status, 400);
    assert.equal(
      (JSON.parse(empty.body.toString()) as { message: string }).message,
      'bad parameter: pathcannot be empty',
    );
    const relative = await request(
      d.socket,
      'GET',
      `/v1.41/containers/cp-src/archive${archiveQuery('d/a')}`,
    );
    assert.equal(relative.status, 200, 'a relative path is taken from the root, as in Docker');
  });

  it('sees what the container sees: volumes, binds (a file, read-only ones) and /etc/hosts', async () => {
    const bound = join(work, 'bound');
    mkdirSync(bound);
    writeFileSync(join(bound, 'b.txt'), 'bound\n');
    writeFileSync(join(work, 'app.conf'), 'setting=1\n');
    const r = await dk([
      'run',
      '-d',
      '--name',
      'cp-mnt',
      '--read-only',
      '--hostname',
      'cpmnt',
      '-v',
      'cpvol:/data',
      '-v',
      `${bound}:/bound:ro`,
      '-v',
      `${join(work, 'app.conf')}:/etc/app.conf`,
      'busybox',
      'sh',
      '-c',
      'echo vol > /data/v.txt && exec sleep 1000',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(
      'the volume file',
      async () => (await dkBytes(['cp', 'cp-mnt:/data/v.txt', '-'])).code === 0,
      30_000,
      200,
    );
    assert.equal(await contentIn('cp-mnt', '/data/v.txt'), 'vol\n');
    assert.equal(await contentIn('cp-mnt', '/bound/b.txt'), 'bound\n');
    assert.equal(await contentIn('cp-mnt', '/etc/hostname'), 'cpmnt\n');
    assert.match(await contentIn('cp-mnt', '/etc/hosts'), /\tcpmnt$/m);
    const conf = await tarFrom('cp-mnt', '/etc/app.conf');
    assert.deepEqual([...conf.keys()], ['app.conf']);
    assert.equal(conf.get('app.conf')?.body.toString(), 'setting=1\n');
    // A mount point named as the container sees it, with the mount's content.
    assert.deepEqual([...(await tarFrom('cp-mnt', '/data')).keys()], ['data/', 'data/v.txt']);
    // Into the volume: allowed on a read-only root filesystem, and the container sees it.
    writeFileSync(join(work, 'new.txt'), 'new\n');
    const into = await dk(['cp', join(work, 'new.txt'), 'cp-mnt:/data/']);
    assert.equal(into.code, 0, into.stderr);
    assert.equal((await dk(['exec', 'cp-mnt', 'cat', '/data/new.txt'])).stdout, 'new\n');
    const ro = await dk(['cp', join(work, 'new.txt'), 'cp-mnt:/bound/']);
    assert.equal(ro.code, 1);
    assert.equal(
      ro.stderr.trim(),
      'Error response from daemon: mounted volume is marked read-only',
    );
    assert.deepEqual(readdirSync(bound), ['b.txt']);
    const rootfs = await dk(['cp', join(work, 'new.txt'), 'cp-mnt:/tmp/']);
    assert.equal(rootfs.code, 1);
    assert.match(rootfs.stderr, /container rootfs is marked read-only/);
    // A name that only starts like a mount is the root filesystem's.
    const near = await dkBytes(['cp', 'cp-mnt:/database', '-']);
    assert.equal(near.code, 1);
    assert.match(near.stderr, /Could not find the file \/database in container cp-mnt/);
    assert.equal((await dk(['rm', '-f', '-v', 'cp-mnt'])).code, 0);
    assert.equal((await dk(['volume', 'rm', 'cpvol'])).code, 0);
  });

  it('refuses copies into a container with a read-only root filesystem', async () => {
    assert.equal(
      (await dk(['create', '--name', 'cp-ro', '--read-only', 'busybox', 'true'])).code,
      0,
    );
    writeFileSync(join(work, 'ro.txt'), 'ro');
    const r = await dk(['cp', join(work, 'ro.txt'), 'cp-ro:/tmp/']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error response from daemon: container rootfs is marked read-only',
    );
    const missing = await dkBytes(['cp', 'cp-ro:/tmp/ro.txt', '-']);
    assert.equal(missing.code, 1);
    // Reading out of it works.
    assert.match(await contentIn('cp-ro', '/etc/passwd'), /^root:/);
  });

  it("keeps the archive's owners without -a and gives the container user's with -a", async () => {
    const owned = join(work, 'owned.txt');
    writeFileSync(owned, 'owned');
    chownSync(owned, 4321, 4322);
    assert.equal(
      (await dk(['create', '--name', 'cp-user', '-u', 'daemon', 'busybox', 'true'])).code,
      0,
    );
    assert.equal((await dk(['cp', owned, 'cp-user:/tmp/plain.txt'])).code, 0);
    assert.equal((await dk(['cp', '-a', owned, 'cp-user:/tmp/archive.txt'])).code, 0);
    const plain = (await tarFrom('cp-user', '/tmp/plain.txt')).get('plain.txt')?.header;
    const archived = (await tarFrom('cp-user', '/tmp/archive.txt')).get('archive.txt')?.header;
    assert.deepEqual([plain?.uid, plain?.gid], [4321, 4322]);
    // busybox's /etc/passwd: daemon:x:1:1.
    assert.deepEqual([archived?.uid, archived?.gid], [1, 1]);
    const unknown = await dk([
      'create',
      '--name',
      'cp-nouser',
      '-u',
      'nosuchuser',
      'busybox',
      'true',
    ]);
    assert.equal(unknown.code, 0);
    const refused = await dk(['cp', '-a', owned, 'cp-nouser:/tmp/']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unable to find user nosuchuser/);
  });

  it("exports a container's whole file system as a tar", async () => {
    const listed = await runBytes('sh', ['-c', 'docker export cp-src | tar -tf -'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const names = listed.stdout.toString().split('\n');
    assert.ok(names.includes('bin/busybox'), 'bin/busybox is listed');
    assert.ok(names.includes('d/sub/b'), 'what the container wrote is listed');
    assert.ok(names.includes('escape'), 'symlinks are entries, not followed');
    const file = join(work, 'export.tar');
    assert.equal((await dk(['export', '-o', file, 'cp-stopped'])).code, 0);
    const files = await readTar(readFileSync(file));
    assert.equal(files.get('greeting.txt')?.body.toString(), 'second copy\n');
    assert.equal(files.get('bin/busybox')?.header.mode, 0o755);
    const missing = await dk(['export', 'cp-nope']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'Error response from daemon: No such container: cp-nope');
  });

  it('berth cp copies both ways and berth export writes the tar', async () => {
    const b = (args: string[]): ReturnType<typeof berth> =>
      berth(['-H', d.host, ...args], { timeoutMs: 60_000 });
    writeFileSync(join(work, 'by-berth.txt'), 'berth client\n');
    assert.equal((await b(['cp', join(work, 'by-berth.txt'), 'cp-src:/tmp/'])).code, 0);
    assert.equal(await contentIn('cp-src', '/tmp/by-berth.txt'), 'berth client\n');
    const out = join(work, 'berth-out');
    const copied = await b(['cp', 'cp-src:/d', out]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(readFileSync(join(out, 'sub', 'b'), 'utf8'), 's\n');
    // The container's symlink to "/" comes out as a symlink, not as the host's root.
    const link = await b(['cp', `cp-src:/escape${sentinel}/keep`, join(work, 'berth-keep')]);
    assert.equal(link.code, 0, link.stderr);
    assert.equal(readFileSync(join(work, 'berth-keep'), 'utf8'), 'owned\n');
    sentinelUntouched();
    const tar = await runBytes(
      process.execPath,
      [BERTH_BIN, '-H', d.host, 'cp', 'cp-src:/d/a', '-'],
      env,
    );
    assert.equal(tar.code, 0, tar.stderr);
    assert.equal((await readTar(tar.stdout)).get('a')?.body.toString(), 'hi\n');
    const missing = await b(['cp', 'cp-src:/nonexist', join(work, 'nothing')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Could not find the file \/nonexist in container cp-src/);
    const exported = join(work, 'berth-export.tar');
    assert.equal((await b(['export', '-o', exported, 'cp-src'])).code, 0);
    assert.ok((await readTar(readFileSync(exported))).has('bin/busybox'));
  });
});
