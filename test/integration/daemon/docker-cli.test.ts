// The real Docker CLI 28 against berth: version, info, events, inspect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import os from 'node:os';
import { berth, docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';

describe('the Docker CLI against berth', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.cleanup();
  });

  it('docker version prints the berth server section', async () => {
    const r = await docker(d.host, ['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Server: berth$/m);
    assert.match(r.stdout, /API version:\s+1\.41 \(downgraded from 1\.50\)/);
    assert.match(r.stdout, /API version:\s+1\.41 \(minimum version 1\.24\)/);
    assert.match(r.stdout, /^ Engine:\n {2}Version:\s+\d+\.\d+\.\d+/m);
    assert.match(r.stdout, /OS\/Arch:\s+linux\/amd64[\s\S]*OS\/Arch:\s+linux\/amd64/);
    assert.match(
      r.stdout,
      new RegExp(`^ kernel:\\n {2}Version:\\s+${os.release().replace(/[.]/g, '\\.')}$`, 'm'),
    );
    assert.match(r.stdout, /^ runc:\n {2}Version:\s+\S+/m);
    const f = await docker(d.host, [
      'version',
      '--format',
      '{{.Server.KernelVersion}} {{.Server.Os}} {{.Server.MinAPIVersion}}',
    ]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout.trim(), `${os.release()} linux 1.24`);
  });

  it('docker info exits 0 and shows real host values', async () => {
    const r = await docker(d.host, ['info']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Containers: 0/);
    assert.match(r.stdout, /Images: 0/);
    assert.match(r.stdout, /Storage Driver: overlay2/);
    assert.match(r.stdout, new RegExp(`Kernel Version: ${os.release().replace(/[.]/g, '\\.')}`));
    assert.match(r.stdout, new RegExp(`Docker Root Dir: ${d.dataRoot}`));
    assert.match(r.stdout, /Default Runtime: runc/);
    assert.match(r.stdout, /Cgroup Version: [12]/);
    const f = await docker(d.host, [
      'info',
      '--format',
      '{{.NCPU}} {{.OSType}} {{.Swarm.LocalNodeState}}',
    ]);
    assert.equal(f.stdout.trim(), `${os.availableParallelism()} linux inactive`);
  });

  it('docker system events --since 1m --until 0s exits 0', async () => {
    const r = await docker(d.host, ['system', 'events', '--since', '1m', '--until', '0s'], {
      timeoutMs: 10_000,
    });
    assert.equal(r.code, 0, r.stderr);
  });

  it('docker inspect of an unknown name walks the 404s and says so', async () => {
    const r = await docker(d.host, ['inspect', 'nosuchthing']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such object: nosuchthing/);
  });

  it('an error from berth reaches the Docker CLI as a parsed message', async () => {
    const r = await docker(d.host, ['system', 'events', '--filter', 'bogus=1', '--until', '0s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error response from daemon: Invalid filter 'bogus'/);
  });

  it('berth version and info print the same facts', async () => {
    const v = await berth(['-H', d.host, 'version']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^Server: berth$/m);
    assert.match(v.stdout, /API version:\s+1\.41 \(minimum version 1\.24\)/);
    const i = await berth(['-H', d.host, 'info', '--format', '{{.DockerRootDir}}']);
    assert.equal(i.stdout.trim(), d.dataRoot);
    const full = await berth(['-H', d.host, 'info']);
    assert.equal(full.code, 0);
    assert.match(full.stdout, /Storage Driver: overlay2/);
  });

  it('berth reads BERTH_HOST and DOCKER_HOST, -H first', async () => {
    const viaBerth = await berth(['version', '--format', '{{.Server.Version}}'], {
      env: { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    assert.equal(viaBerth.code, 0, viaBerth.stderr);
    const viaDocker = await berth(['info', '--format', '{{.ID}}'], {
      env: { ...process.env, BERTH_HOST: '', DOCKER_HOST: d.host },
    });
    assert.equal(viaDocker.code, 0, 'an empty BERTH_HOST counts as unset');
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: d.host };
    delete env['BERTH_HOST'];
    const plain = await berth(['info', '--format', '{{.ID}}'], { env });
    assert.equal(plain.code, 0, plain.stderr);
    const down = await berth(['-H', 'unix:///nonexistent/berth.sock', 'info']);
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      /Cannot connect to the berth daemon at unix:\/\/\/nonexistent\/berth\.sock/,
    );
  });

  it('berth flag errors exit 125, unknown commands exit 1', async () => {
    const bad = await berth(['-H', d.host, 'version', '--nope']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /unknown flag: --nope/);
    const unknown = await berth(['-H', d.host, 'frobnicate']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /'frobnicate' is not a berth command/);
  });
});
