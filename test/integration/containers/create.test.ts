// Containers without a runtime yet: create (config merge, names, validation), ps, inspect,
// rename, rm, prune, and images kept from deletion by their containers.
import assert from 'node:assert/strict';
import os from 'node:os';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { buildImage, busyboxArchive } from '../../helpers/image-archive.js';

function post(
  socket: string,
  path: string,
  body: string,
  type = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: socket, method: 'POST', path, agent: false, headers: { 'Content-Type': type } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('containers: create, ps, inspect, rename, rm, prune', () => {
  let d: TestDaemon;
  let work: string;
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 30_000 });
  /** The container's layer dirs, as inspect's GraphDriver.Data names them. */
  const layerDirs = async (
    host: string,
    name: string,
  ): Promise<{ upper: string; init: string; image: string }> => {
    const r = await docker(host, ['inspect', '-f', '{{json .GraphDriver.Data}}', name]);
    assert.equal(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout) as Record<string, string>;
    const [init = '', image = ''] = (data['LowerDir'] ?? '').split(':');
    return { upper: data['UpperDir'] ?? '', init, image };
  };
  before(async () => {
    d = await startDaemon();
    work = await mkdtemp(join(tmpdir(), 'berth-containers-'));
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    await d?.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it('creates containers with the image defaults merged and shows them in ps and inspect', async () => {
    const c = await dk([
      'create',
      '--name',
      'c1',
      '-e',
      'A=1',
      '-w',
      '/tmp',
      '-l',
      'k=v',
      'busybox',
      'echo',
      'hi there',
    ]);
    assert.equal(c.code, 0, c.stderr);
    const id = c.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    // A writable layer on an init layer on the image's top layer.
    const dirs = await layerDirs(d.host, 'c1');
    const overlay = join(d.dataRoot, 'overlay2');
    assert.match(dirs.upper, new RegExp(`^${overlay}/[0-9a-f]{32}/diff$`));
    assert.equal(dirs.init, `${dirname(dirs.upper)}init/diff`);
    assert.match(dirs.image, new RegExp(`^${overlay}/[0-9a-f]{32}/diff$`));
    for (const dir of Object.values(dirs)) assert.ok(existsSync(dir), dir);
    const anon = await dk(['create', 'busybox']);
    assert.equal(anon.code, 0, anon.stderr);
    const ps = await dk(['ps', '-a']);
    assert.match(ps.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/m);
    assert.match(
      ps.stdout,
      // Docker's ps quotes an argument with a space.
      new RegExp(`^${id.slice(0, 12)}\\s+busybox\\s+"echo 'hi there'"\\s`, 'm'),
    );
    assert.match(ps.stdout, /Created\s+c1$/m);
    assert.match(ps.stdout, /Created\s+[a-z]+_[a-z_]+\d*$/m, 'a generated name');
    assert.equal((await dk(['ps', '-q'])).stdout.trim(), '', 'nothing runs');
    const info = JSON.parse((await dk(['inspect', 'c1', '--format', '{{json .}}'])).stdout) as {
      Id: string;
      Name: string;
      Path: string;
      Args: string[];
      State: { Status: string; Running: boolean; StartedAt: string };
      Config: {
        Env: string[];
        WorkingDir: string;
        Labels: Record<string, string>;
        Hostname: string;
        Image: string;
        Cmd: string[];
      };
      Image: string;
      Driver: string;
    };
    assert.equal(info.Id, id);
    assert.equal(info.Name, '/c1');
    assert.equal(info.Path, 'echo');
    assert.deepEqual(info.Args, ['hi there']);
    assert.equal(info.State.Status, 'created');
    assert.equal(info.State.Running, false);
    assert.equal(info.State.StartedAt, '0001-01-01T00:00:00Z');
    assert.equal(info.Config.Env[0], 'A=1', "the request's entries first, as Docker has them");
    assert.ok(
      info.Config.Env.some((e) => e.startsWith('PATH=')),
      'the image PATH is kept',
    );
    assert.equal(info.Config.WorkingDir, '/tmp');
    // Empty, as Docker shows them: no ExposedPorts, and Volumes null.
    assert.equal(
      (
        await dk(['inspect', '-f', '{{json .Config.ExposedPorts}} {{json .Config.Volumes}}', 'c1'])
      ).stdout.trim(),
      'null null',
    );
    assert.equal(info.Config.Labels['k'], 'v');
    assert.equal(info.Config.Hostname, id.slice(0, 12));
    assert.equal(info.Config.Image, 'busybox');
    assert.match(info.Image, /^sha256:/);
    assert.equal(info.Driver, 'overlay2');
    const byPrefix = await dk(['inspect', '--format', '{{.Name}}', id.slice(0, 8)]);
    assert.equal(byPrefix.stdout.trim(), '/c1');
    const filtered = await dk(['ps', '-a', '--filter', 'label=k=v', '--format', '{{.Names}}']);
    assert.equal(filtered.stdout.trim(), 'c1');
    assert.equal(
      (await dk(['info', '--format', '{{.Containers}} {{.ContainersStopped}}'])).stdout.trim(),
      '2 2',
    );
  });

  it('refuses a taken name, a bad name, a missing image, no command, and bad bodies', async () => {
    const taken = await dk(['create', '--name', 'c1', 'busybox']);
    assert.equal(taken.code, 1);
    assert.match(
      taken.stderr,
      /Conflict\. The container name "\/c1" is already in use by container "[0-9a-f]{64}"/,
    );
    const badName = await dk(['create', '--name', 'bad name!', 'busybox']);
    assert.notEqual(badName.code, 0);
    assert.match(badName.stderr, /Invalid container name \(bad name!\)/);
    const noCmd = await buildImage([[{ name: 'x', content: 'x' }]], { tags: ['nocmd:1'], cmd: [] });
    await writeFile(join(work, 'nocmd.tar'), noCmd.archive);
    await dk(['load', '-i', join(work, 'nocmd.tar')]);
    const none = await dk(['create', 'nocmd:1']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /No command specified/);
    const wrongType = await post(
      d.socket,
      '/v1.41/containers/create',
      JSON.stringify({ Image: 'busybox', Cmd: 42 }),
    );
    assert.equal(wrongType.status, 400);
    assert.match(
      (JSON.parse(wrongType.body) as { message: string }).message,
      /Config\.Cmd must be an array of strings/,
    );
    const wrongHost = await post(
      d.socket,
      '/v1.41/containers/create',
      JSON.stringify({ Image: 'busybox', HostConfig: { AutoRemove: 'yes' } }),
    );
    assert.equal(wrongHost.status, 400);
    assert.match(wrongHost.body, /HostConfig\.AutoRemove must be a boolean/);
    // A bare -e NAME the client has no value for leaves the variable unset (runc would refuse it).
    const bare = await dk([
      'run',
      '--rm',
      '-e',
      'BERTH_UNSET_X',
      'busybox',
      'sh',
      '-c',
      'echo ${BERTH_UNSET_X-unset}',
    ]);
    assert.equal(bare.stdout, 'unset\n', bare.stderr);
    const badSignal = await dk(['create', '--stop-signal', 'FOO', 'busybox']);
    assert.equal(badSignal.code, 1);
    assert.match(badSignal.stderr, /Invalid signal: FOO/);
    const ncpu = os.availableParallelism();
    const tooManyCpus = await dk(['create', '--cpus', String(ncpu + 1), 'busybox']);
    assert.equal(tooManyCpus.code, 1);
    assert.match(
      tooManyCpus.stderr,
      new RegExp(
        `Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`,
      ),
    );
    const noSuchCpu = await dk(['create', '--cpuset-cpus', '4000', 'busybox']);
    assert.equal(noSuchCpu.code, 1);
    assert.match(
      noSuchCpu.stderr,
      /Requested CPUs are not available - requested 4000, available: \d/,
    );
    const badOom = await dk(['create', '--oom-score-adj', '1001', 'busybox']);
    assert.equal(badOom.code, 1);
    assert.match(badOom.stderr, /Invalid value 1001, range for oom score adj is \[-1000, 1000\]/);
    const malformed = await post(d.socket, '/v1.41/containers/create', '{"Image":');
    assert.equal(malformed.status, 400);
    const form = await post(
      d.socket,
      '/v1.41/containers/create',
      'Image=busybox',
      'application/x-www-form-urlencoded',
    );
    assert.equal(form.status, 400);
    assert.match(form.body, /must be 'application\/json'/);
    const noImage = await post(
      d.socket,
      '/v1.41/containers/create?name=x',
      JSON.stringify({ Image: 'nosuchimage:9' }),
    );
    assert.equal(noImage.status, 404);
    assert.match(noImage.body, /No such image: nosuchimage:9/);
    const killMissing = await dk(['kill', 'nosuch']);
    assert.equal(killMissing.code, 1);
    assert.match(
      killMissing.stderr,
      /^Error response from daemon: Cannot kill container: nosuch: No such container: nosuch$/m,
    );
    const missing = await dk(['inspect', '--type', 'container', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal((await d.client.ping()).apiVersion, '1.41');
  });

  it('keeps an image its containers use, unless forced, and then only untags it', async () => {
    await dk(['tag', 'busybox', 'keep:1']);
    const refused = await dk(['rmi', 'keep:1']);
    assert.equal(refused.code, 0, 'another tag is left: keep:1 is only untagged');
    const byName = await dk(['rmi', 'busybox']);
    assert.equal(byName.code, 1);
    assert.match(
      byName.stderr,
      /unable to remove repository reference "busybox" \(must force\) - container [0-9a-f]{12} is using its referenced image/,
    );
    const forced = await dk(['rmi', '-f', 'busybox']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Untagged: busybox:latest/);
    assert.doesNotMatch(forced.stdout, /Deleted/);
    assert.equal(
      (await dk(['images', '-q', '--filter', 'dangling=true'])).stdout.trim().length,
      12,
      'the image stays, dangling',
    );
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });

  it('renames, removes (writable layer and all), prunes, and keeps containers across a restart', async () => {
    const rename = await dk(['rename', 'c1', 'c2']);
    assert.equal(rename.code, 0, rename.stderr);
    assert.equal((await dk(['inspect', '--format', '{{.Name}}', 'c2'])).stdout.trim(), '/c2');
    const clash = await dk(['create', '--name', 'other', 'busybox']);
    assert.equal(clash.code, 0);
    const renameClash = await dk(['rename', 'c2', 'other']);
    assert.equal(renameClash.code, 1);
    assert.match(
      renameClash.stderr,
      /Error response from daemon: Error when allocating new name: Conflict\. The container name "\/other" is already in use by container "[0-9a-f]{64}"/,
    );
    const renameBad = await dk(['rename', 'c2', 'bad/name']);
    assert.equal(renameBad.code, 1);
    assert.match(
      renameBad.stderr,
      /Error when allocating new name: Invalid container name \(\/bad\/name\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_\.-\] are allowed/,
    );

    d.process.kill('SIGTERM');
    assert.equal((await d.exited).code, 0);
    // What a crash left of a removal's background deletion goes at the next start.
    const leftover = join(d.dataRoot, 'containers', '.gone-leftover');
    await mkdir(leftover, { recursive: true });
    await writeFile(join(leftover, 'container.log'), 'x'.repeat(1000));
    const restarted = await startDaemon({ reuseDir: d.dir });
    try {
      assert.equal(
        (
          await docker(restarted.host, ['inspect', '--format', '{{.State.Status}}', 'c2'])
        ).stdout.trim(),
        'created',
      );
      assert.equal(existsSync(leftover), false);
      const dirs = await layerDirs(restarted.host, 'c2');
      const c2id = (await docker(restarted.host, ['inspect', '-f', '{{.Id}}', 'c2'])).stdout.trim();
      assert.equal(existsSync(join(restarted.dataRoot, 'containers', c2id)), true);
      const rmc = await docker(restarted.host, ['rm', 'c2']);
      assert.equal(rmc.code, 0, rmc.stderr);
      assert.equal(rmc.stdout.trim(), 'c2');
      assert.equal(existsSync(dirname(dirs.upper)), false, 'the writable layer went with it');
      assert.equal(existsSync(dirname(dirs.init)), false, 'and the init layer');
      assert.equal(existsSync(dirs.image), true, "the image's stays");
      assert.equal(
        existsSync(join(restarted.dataRoot, 'containers', c2id)),
        false,
        'its directory went too',
      );
      const missing = await docker(restarted.host, ['rm', 'c2']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /No such container: c2/);
      const prune = await docker(restarted.host, ['container', 'prune', '-f']);
      assert.equal(prune.code, 0, prune.stderr);
      assert.match(prune.stdout, /Deleted Containers:/);
      assert.equal((await docker(restarted.host, ['ps', '-aq'])).stdout.trim(), '');
      const events = await docker(restarted.host, [
        'events',
        '--since',
        '10m',
        '--until',
        String(Math.ceil(Date.now() / 1000) + 1),
        '--filter',
        'type=container',
        '--format',
        '{{.Action}}',
      ]);
      assert.ok(events.stdout.includes('destroy'), events.stdout);
    } finally {
      await restarted.cleanup();
    }
  });
});
