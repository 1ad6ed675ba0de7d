// The default bridge through the real Docker CLI: published ports reachable from the host,
// `port`, ps and inspect, links, /etc files, host/none/container modes, and nothing left
// behind (veths, namespaces, rules) once containers and the daemon are gone.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { apiRequest, messageOf } from '../../helpers/api.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import {
  bridgePorts,
  canBind,
  defaultBridgeOf,
  eventually,
  freePort,
  hostVeth,
  httpGet,
  linkExists,
  netnsFiles,
  rulesOf,
} from './helpers.js';

describe('default bridge network', () => {
  let d: TestDaemon;
  const dk = (args: string[], timeoutMs = 30_000): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs });
  const inspect = async (ref: string, format: string): Promise<string> => {
    const r = await dk(['inspect', '--format', format, ref]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const bridgeId = async (): Promise<string> =>
    (await dk(['network', 'inspect', '--format', '{{.Id}}', 'bridge'])).stdout.trim();

  before(async () => {
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    const bridge = defaultBridgeOf(d);
    await d?.cleanup();
    assert.equal(linkExists(bridge), false, 'the bridge goes with the daemon');
    assert.deepEqual(rulesOf(d), [], 'no rule or chain of the daemon stays');
  });

  it('makes its own bridge and chains, apart from other daemons', async () => {
    const bridge = defaultBridgeOf(d);
    assert.ok(linkExists(bridge), bridge);
    const rules = rulesOf(d);
    assert.ok(
      rules.some((l) => l.startsWith('-A FORWARD -j BERTH-')),
      rules.join('\n'),
    );
    assert.ok(rules.some((l) => /^-A POSTROUTING -j BERTH-\w+-POST$/.test(l)));
    const net = JSON.parse((await dk(['network', 'inspect', 'bridge'])).stdout) as {
      Name: string;
      Driver: string;
      IPAM: { Config: { Subnet: string; Gateway: string }[] };
      Options: Record<string, string>;
    }[];
    assert.equal(net[0]?.Driver, 'bridge');
    assert.equal(net[0]?.Options['com.docker.network.bridge.name'], bridge);
    assert.equal(net[0]?.Options['com.docker.network.bridge.default_bridge'], 'true');
    assert.match(net[0]?.IPAM.Config[0]?.Subnet ?? '', /^\d+\.\d+\.\d+\.\d+\/\d+$/);
    const ls = await dk(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']);
    assert.deepEqual(ls.stdout.trim().split('\n').sort(), [
      'bridge bridge',
      'host host',
      'none null',
    ]);
  });

  it('publishes a port on 127.0.0.1 that answers HTTP from the host', async () => {
    const port = await freePort();
    const run = await dk([
      'run',
      '-d',
      '--name',
      'web',
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
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    let answer: Awaited<ReturnType<typeof httpGet>> = { error: 'none yet' };
    await waitFor(
      'httpd to answer through the published port',
      async () => {
        answer = await httpGet('127.0.0.1', port, '/hostname', 2000);
        return 'status' in answer;
      },
      10_000,
      100,
    );
    assert.deepEqual(answer, { status: 200, body: `${id.slice(0, 12)}\n` });
    assert.equal((await dk(['port', 'web'])).stdout, `80/tcp -> 127.0.0.1:${port}\n`);
    assert.equal((await dk(['port', 'web', '80'])).stdout, `127.0.0.1:${port}\n`);
    const ps = await dk(['ps', '--filter', 'name=web', '--format', '{{.Ports}}']);
    assert.equal(ps.stdout.trim(), `127.0.0.1:${port}->80/tcp`);
    assert.equal(
      await inspect('web', '{{json .NetworkSettings.Ports}}'),
      JSON.stringify({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] }),
    );
    // The port is held: nobody else can take it while the container runs.
    assert.equal(await canBind(port), false);
    const again = await dk([
      'run',
      '-d',
      '--name',
      'second',
      '-p',
      `127.0.0.1:${port}:80`,
      'busybox',
      'true',
    ]);
    assert.equal(again.code, 125);
    assert.match(
      again.stderr,
      new RegExp(
        `driver failed programming external connectivity on endpoint second \\([0-9a-f]{64}\\): Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated`,
      ),
    );
    assert.equal((await dk(['rm', 'second'])).code, 0);
    const ip = await inspect('web', '{{.NetworkSettings.IPAddress}}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(await inspect('web', '{{.NetworkSettings.Networks.bridge.IPAddress}}'), ip);
    assert.match(await inspect('web', '{{.NetworkSettings.MacAddress}}'), /^02:42:/);
    assert.ok(rulesOf(d).some((l) => l.includes(`--dport ${port} `) && l.includes('DNAT')));

    assert.equal((await dk(['rm', '-f', 'web'])).code, 0);
    assert.ok(!rulesOf(d).some((l) => l.includes(`--dport ${port} `)), 'the forward goes');
    assert.equal(await canBind(port), true, 'the port is free again');
    const veth = hostVeth(id, await bridgeId());
    await eventually('the veth to go', () => !linkExists(veth));
    assert.deepEqual(netnsFiles(d), []);
  });

  it('publishes on every address and picks ephemeral host ports with -P', async () => {
    const run = await dk([
      'run',
      '-d',
      '--name',
      'anyweb',
      '--expose',
      '80',
      '-P',
      'busybox',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/etc',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const out = (await dk(['port', 'anyweb', '80/tcp'])).stdout.trim();
    const m = /^0\.0\.0\.0:(\d+)$/.exec(out);
    assert.ok(m, out);
    const port = Number(m[1]);
    assert.ok(port >= 32768 && port <= 60999, String(port));
    // Reached through loopback and through the daemon's own bridge address.
    const gateway = await inspect('anyweb', '{{.NetworkSettings.Gateway}}');
    for (const host of ['127.0.0.1', gateway]) {
      let answer: Awaited<ReturnType<typeof httpGet>> = { error: 'none yet' };
      await waitFor(
        `httpd on ${host}:${port}`,
        async () => {
          answer = await httpGet(host, port, '/hostname', 2000);
          return 'status' in answer;
        },
        10_000,
        100,
      );
      assert.equal('status' in answer && answer.status, 200, JSON.stringify(answer));
    }
    const ps = await dk(['ps', '--filter', 'name=anyweb', '--format', '{{.Ports}}']);
    assert.equal(ps.stdout.trim(), `0.0.0.0:${port}->80/tcp`);
    // Two -P containers never get the same host port.
    const second = await dk([
      'run',
      '-d',
      '--name',
      'anyweb2',
      '--expose',
      '80',
      '-P',
      'busybox',
      'sleep',
      '60',
    ]);
    assert.equal(second.code, 0, second.stderr);
    assert.notEqual((await dk(['port', 'anyweb2', '80'])).stdout.trim(), out);
    assert.equal((await dk(['rm', '-f', 'anyweb', 'anyweb2'])).code, 0);
  });

  it('restarts a bridged container at once, again and again (its veth name is reused)', async () => {
    assert.equal((await dk(['run', '-d', '--name', 'again', 'busybox', 'sleep', '120'])).code, 0);
    for (let i = 0; i < 4; i++) {
      const r = await dk(['restart', '-t', '0', 'again']);
      assert.equal(r.code, 0, r.stderr);
      // The gateway is the bridge: reached only through the new veth.
      const gateway = await inspect('again', '{{.NetworkSettings.Gateway}}');
      const ping = await dk(['exec', 'again', 'ping', '-c', '1', '-W', '2', gateway]);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    }
    // The last run's veth is still being freed by the kernel at times (its sysfs entry then
    // answers EINVAL): quick restarts in a row meet that now and then.
    for (let i = 0; i < 40; i++) {
      const r = await dk(['restart', '-t', '0', 'again']);
      assert.equal(r.code, 0, `restart ${i}: ${r.stderr}`);
    }
    assert.equal((await dk(['rm', '-f', 'again'])).code, 0);
  });

  it("starts a container whose last run's namespace a crash left mounted", async () => {
    assert.equal((await dk(['create', '--name', 'stale', 'busybox', 'ip', '-o', 'addr'])).code, 0);
    const nsPath = join(d.execRoot, 'netns', await inspect('stale', '{{.Id}}'));
    mkdirSync(dirname(nsPath), { recursive: true });
    writeFileSync(nsPath, '');
    execFileSync('unshare', [`--net=${nsPath}`, 'true']);
    try {
      const r = await dk(['start', '-a', 'stale']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /eth0\s+inet \d+\.\d+\.\d+\.\d+\//);
      assert.equal((await dk(['rm', 'stale'])).code, 0);
      assert.deepEqual(netnsFiles(d), [], 'the new namespace went with the container');
    } finally {
      spawnSync('umount', [nsPath]);
      rmSync(nsPath, { force: true });
    }
  });

  it('refuses bad -p values and missing networks as Docker does, creating nothing', async () => {
    const before = (await dk(['ps', '-aq'])).stdout;
    const badIp = await dk(['run', '-p', '300.1.1.1:80:80', 'busybox', 'true']);
    assert.equal(badIp.code, 125);
    // A 404 at create makes the CLI try a pull first (as with Docker): --pull never skips it.
    const missing = await dk([
      'run',
      '--pull',
      'never',
      '--network',
      'nosuchnet',
      'busybox',
      'true',
    ]);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /Error response from daemon: network nosuchnet not found/);
    const link = await dk(['run', '--pull', 'never', '--link', 'nosuch:x', 'busybox', 'true']);
    assert.equal(link.code, 125);
    assert.match(link.stderr, /No such container: nosuch/);
    assert.equal((await dk(['ps', '-aq'])).stdout, before, 'no container was created');
    const raw = await apiRequest(
      d.socket,
      'POST',
      '/v1.41/containers/create',
      JSON.stringify({
        Image: 'busybox',
        HostConfig: { PortBindings: { 'x/tcp': [{ HostIp: '', HostPort: '1' }] } },
      }),
    );
    assert.equal(raw.status, 400);
    assert.equal(messageOf(raw), 'invalid port specification: "x/tcp"');
  });

  it("gives --link's variables and hosts line, and --add-host, --dns, --hostname", async () => {
    const db = await dk([
      'run',
      '-d',
      '--name',
      'db',
      '-e',
      'SECRET=s3',
      '--expose',
      '5432',
      'busybox',
      'sleep',
      '60',
    ]);
    assert.equal(db.code, 0, db.stderr);
    const dbIp = await inspect('db', '{{.NetworkSettings.IPAddress}}');
    const r = await dk([
      'run',
      '--rm',
      '--name',
      'app',
      '--link',
      'db:my-db',
      '--add-host',
      'extra.example:10.1.2.3',
      '--dns',
      '10.9.9.9',
      '--dns-search',
      'corp.example',
      '--hostname',
      'apphost',
      'busybox',
      'sh',
      '-c',
      'env | grep ^MY_DB | sort; echo ---; cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; hostname',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [env = '', hosts = '', resolv = '', hostname = ''] = r.stdout.split('---\n');
    assert.deepEqual(env.trim().split('\n'), [
      'MY_DB_ENV_SECRET=s3',
      'MY_DB_NAME=/app/my-db',
      `MY_DB_PORT=tcp://${dbIp}:5432`,
      `MY_DB_PORT_5432_TCP=tcp://${dbIp}:5432`,
      `MY_DB_PORT_5432_TCP_ADDR=${dbIp}`,
      'MY_DB_PORT_5432_TCP_PORT=5432',
      'MY_DB_PORT_5432_TCP_PROTO=tcp',
    ]);
    const dbId = (await inspect('db', '{{.Id}}')).slice(0, 12);
    const lines = hosts.trim().split('\n');
    assert.equal(lines[0], '127.0.0.1\tlocalhost');
    assert.ok(lines.includes('10.1.2.3\textra.example'), hosts);
    assert.ok(lines.includes(`${dbIp}\tmy-db ${dbId} db`), hosts);
    assert.match(lines.at(-1) ?? '', /^\d+\.\d+\.\d+\.\d+\tapphost$/);
    assert.equal(resolv, 'nameserver 10.9.9.9\nsearch corp.example\n');
    assert.equal(hostname.trim(), 'apphost');
    // The linked container answers on its address from the linking one.
    const ping = await dk([
      'run',
      '--rm',
      '--link',
      'db',
      'busybox',
      'ping',
      '-c',
      '1',
      '-W',
      '3',
      'db',
    ]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    const stopped = await dk(['run', '-d', '--name', 'gone', 'busybox', 'true']);
    assert.equal(stopped.code, 0);
    await waitFor(
      'gone to exit',
      async () => (await inspect('gone', '{{.State.Status}}')) === 'exited',
    );
    const toStopped = await dk(['run', '--rm', '--link', 'gone:g', 'busybox', 'true']);
    assert.notEqual(toStopped.code, 0);
    assert.match(toStopped.stderr, /Cannot link to a non running container: \/gone AS \/\S+\/g/);
    assert.equal((await dk(['rm', '-f', 'db', 'gone'])).code, 0);
  });

  it('host mode sees the host interfaces, none has only lo, container: shares a namespace', async () => {
    const host = await dk(['run', '--rm', '--network', 'host', 'busybox', 'ip', '-o', 'link']);
    assert.equal(host.code, 0, host.stderr);
    assert.ok(host.stdout.includes(`: ${defaultBridgeOf(d)}:`), host.stdout);
    const none = await dk(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']);
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual(
      none.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1]?.trim()),
      ['lo'],
    );
    assert.equal(
      await inspect(
        (await dk(['create', '--network', 'none', 'busybox'])).stdout.trim(),
        '{{.HostConfig.NetworkMode}}',
      ),
      'none',
    );
    const owner = await dk(['run', '-d', '--name', 'owner', 'busybox', 'sleep', '60']);
    assert.equal(owner.code, 0, owner.stderr);
    const ip = await inspect('owner', '{{.NetworkSettings.IPAddress}}');
    const joined = await dk([
      'run',
      '--rm',
      '--network',
      'container:owner',
      'busybox',
      'ip',
      '-o',
      '-4',
      'addr',
      'show',
      'eth0',
    ]);
    assert.equal(joined.code, 0, joined.stderr);
    assert.ok(joined.stdout.includes(`inet ${ip}/`), joined.stdout);
    // The /etc files are the owner's own, not copies: a change in one shows in the other.
    const joiner = await dk([
      'run',
      '-d',
      '--network',
      'container:owner',
      'busybox',
      'sleep',
      '60',
    ]);
    assert.equal(joiner.code, 0, joiner.stderr);
    const jid = joiner.stdout.trim();
    try {
      const inOwner = ['exec', 'owner', 'sh', '-c', 'echo "# from owner" >> /etc/resolv.conf'];
      assert.equal((await dk(inOwner)).code, 0);
      assert.match((await dk(['exec', jid, 'cat', '/etc/resolv.conf'])).stdout, /^# from owner$/m);
      const inJoiner = ['exec', jid, 'sh', '-c', 'echo "10.9.8.7 fromjoiner" >> /etc/hosts'];
      assert.equal((await dk(inJoiner)).code, 0);
      assert.match((await dk(['exec', 'owner', 'cat', '/etc/hosts'])).stdout, /fromjoiner/);
    } finally {
      await dk(['rm', '-f', jid]);
    }
    const conflicting = await dk([
      'run',
      '--rm',
      '--network',
      'container:owner',
      '-p',
      '80',
      'busybox',
      'true',
    ]);
    assert.equal(conflicting.code, 125);
    assert.match(
      conflicting.stderr,
      /conflicting options: port publishing and the container type network mode/,
    );
    const named = await dk([
      'run',
      '--rm',
      '--network',
      'container:owner',
      '--hostname',
      'x',
      'busybox',
      'true',
    ]);
    assert.equal(named.code, 125);
    assert.match(named.stderr, /conflicting options: hostname and the network mode/);
    const ownerId = await inspect('owner', '{{.Id}}');
    assert.deepEqual(bridgePorts(defaultBridgeOf(d)), [hostVeth(ownerId, await bridgeId())]);
    assert.equal((await dk(['rm', '-f', 'owner'])).code, 0);
    await eventually('no veth on the bridge', () => bridgePorts(defaultBridgeOf(d)).length === 0);
    assert.deepEqual(netnsFiles(d), [], 'no namespace stays');
  });
});
