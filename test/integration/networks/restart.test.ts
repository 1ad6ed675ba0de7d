// Networks across a daemon crash: running containers keep their ports, names and addresses,
// containers that died meanwhile lose their veth, namespace and rules, no address is handed
// out twice, and a clean shutdown with nothing running leaves nothing of the daemon behind.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import {
  bridgePorts,
  defaultBridgeOf,
  eventually,
  freePort,
  httpGet,
  linkExists,
  netnsFiles,
  rulesOf,
} from './helpers.js';

describe('networks across a daemon restart', () => {
  let d: TestDaemon;
  let dir = '';
  const dk = (args: string[], timeoutMs = 30_000): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs });
  const ok = async (args: string[]): Promise<string> => {
    const r = await dk(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };

  before(async () => {
    d = await startDaemon();
    dir = d.dir;
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    await dk(['network', 'prune', '-f']);
    await d?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps live containers networked and cleans up the dead after a crash', async () => {
    const port = await freePort();
    await ok(['network', 'create', 'crashnet']);
    await ok([
      'run',
      '-d',
      '--name',
      'keeper',
      '-p',
      `127.0.0.1:${port}:80`,
      'busybox',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/etc',
    ]);
    await ok(['run', '-d', '--name', 'named', '--network', 'crashnet', 'busybox', 'sleep', '300']);
    const doomed = await ok([
      'run',
      '-d',
      '--name',
      'doomed',
      '--expose',
      '81',
      '-P',
      'busybox',
      'sleep',
      '300',
    ]);
    const doomedPort = (await ok(['port', 'doomed', '81'])).split(':')[1] ?? '';
    const keeperIp = await ok(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', 'keeper']);
    const doomedPid = Number(await ok(['inspect', '--format', '{{.State.Pid}}', 'doomed']));
    await waitFor('httpd', async () => 'status' in (await httpGet('127.0.0.1', port, '/', 1000)));

    const idle = await ok(['create', '--name', 'idle', 'busybox', 'true']);
    d.process.kill('SIGKILL');
    await d.exited;
    process.kill(doomedPid, 'SIGKILL');
    // What a start cut short by the crash would leave: a namespace file of a container that
    // is not running.
    await writeFile(join(d.execRoot, 'netns', idle), '');
    d = await startDaemon({ reuseDir: dir });
    assert.ok(!netnsFiles(d).includes(idle), 'the half-made namespace is gone');

    await waitFor(
      'doomed to be seen exited',
      async () =>
        (await dk(['inspect', '--format', '{{.State.Status}}', 'doomed'])).stdout.trim() ===
        'exited',
    );
    // The dead one's namespace, veth and forward are gone.
    await waitFor('the dead container to be detached', async () => netnsFiles(d).length === 2);
    assert.ok(!netnsFiles(d).includes(doomed));
    assert.ok(!rulesOf(d).some((l) => l.includes(`--dport ${doomedPort} `)), 'its forward goes');
    await eventually(
      'only keeper on the bridge',
      () => bridgePorts(defaultBridgeOf(d)).length === 1,
    );
    // The live ones still answer: the port, and the name on the user network.
    const answer = await httpGet('127.0.0.1', port, '/hostname', 3000);
    assert.ok('status' in answer && answer.status === 200, JSON.stringify(answer));
    const ping = await dk([
      'run',
      '--rm',
      '--network',
      'crashnet',
      'busybox',
      'ping',
      '-c',
      '1',
      '-W',
      '3',
      'named',
    ]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    // No address is handed out twice: a new container never gets keeper's.
    const fresh = await ok(['run', '-d', '--name', 'fresh', 'busybox', 'sleep', '300']);
    assert.notEqual(
      await ok(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', fresh]),
      keeperIp,
    );
    // Its port is held again: a second container cannot take it.
    const clash = await dk(['run', '-d', '-p', `127.0.0.1:${port}:80`, 'busybox', 'true']);
    assert.equal(clash.code, 125);
    assert.match(clash.stderr, /port is already allocated/);
  });

  it('leaves no bridge, rule, veth or namespace after a clean shutdown with nothing running', async () => {
    const bridges = [
      defaultBridgeOf(d),
      `br-${await ok(['network', 'inspect', '--format', '{{slice .Id 0 12}}', 'crashnet'])}`,
    ];
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    await ok(['rm', '-f', ...ids]);
    for (const b of bridges)
      await eventually(`${b} without veths`, () => bridgePorts(b).length === 0);
    assert.deepEqual(netnsFiles(d), []);
    d.process.kill('SIGTERM');
    await d.exited;
    for (const b of bridges) assert.equal(linkExists(b), false, `${b} goes`);
    assert.deepEqual(rulesOf(d), []);
    // A new start on the same state makes them again.
    d = await startDaemon({ reuseDir: dir });
    for (const b of bridges) assert.equal(linkExists(b), true, `${b} is back`);
    const r = await dk(['run', '--rm', '--network', 'crashnet', 'busybox', 'true']);
    assert.equal(r.code, 0, r.stderr);
  });
});
