// User-defined bridge networks through the real Docker CLI: create/ls/inspect/rm/prune,
// static addresses, names resolved by the embedded DNS, live connect and disconnect, events,
// and bad input refused with Docker's status and message.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { apiRequest, messageOf } from '../../helpers/api.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import {
  bridgePorts,
  eventually,
  freePort,
  hostVeth,
  httpGet,
  linkExists,
  netnsFiles,
  rulesOf,
} from './helpers.js';

interface NetworkJson {
  Name: string;
  Id: string;
  Driver: string;
  Internal: boolean;
  Labels: Record<string, string>;
  IPAM: { Config: { Subnet: string; Gateway?: string; IPRange?: string }[] };
  Containers: Record<string, { Name: string; IPv4Address: string; MacAddress: string }>;
  Options: Record<string, string>;
}

describe('user-defined networks', () => {
  let d: TestDaemon;
  const dk = (args: string[], timeoutMs = 30_000): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs });
  const ok = async (args: string[]): Promise<string> => {
    const r = await dk(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const netJson = async (name: string): Promise<NetworkJson> =>
    (JSON.parse(await ok(['network', 'inspect', name])) as NetworkJson[])[0] as NetworkJson;
  // A /24 in 10.213.0.0/16 few other things use; random so that parallel runs rarely meet.
  const third = randomInt(1, 250);
  const subnet = `10.213.${third}.0/24`;

  before(async () => {
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    const bridges = (await dk(['network', 'ls', '-q', '--filter', 'type=custom'])).stdout
      .split('\n')
      .filter(Boolean)
      .map((id) => `br-${id}`);
    await dk(['network', 'prune', '-f']);
    await d?.cleanup();
    for (const b of bridges) assert.equal(linkExists(b), false, `${b} stays`);
    assert.deepEqual(rulesOf(d), []);
  });

  it('creates a network with its bridge, and lists and inspects it', async () => {
    const id = await ok([
      'network',
      'create',
      '--subnet',
      subnet,
      '--gateway',
      `10.213.${third}.254`,
      '--ip-range',
      `10.213.${third}.128/25`,
      '--label',
      'team=net',
      'amnet',
    ]);
    assert.match(id, /^[0-9a-f]{64}$/);
    const n = await netJson('amnet');
    assert.equal(n.Id, id);
    assert.equal(n.Driver, 'bridge');
    assert.deepEqual(n.IPAM.Config, [
      { Subnet: subnet, IPRange: `10.213.${third}.128/25`, Gateway: `10.213.${third}.254` },
    ]);
    assert.deepEqual(n.Labels, { team: 'net' });
    assert.ok(linkExists(`br-${id.slice(0, 12)}`));
    const ls = await ok(['network', 'ls', '--filter', 'label=team=net', '--format', '{{.Name}}']);
    assert.equal(ls, 'amnet');
    assert.equal(await ok(['network', 'ls', '-q', '--filter', 'name=amnet']), id.slice(0, 12));
    const custom = await ok(['network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}}']);
    assert.equal(custom, 'amnet');
    // An address from the ip-range, the MAC derived from it, shown by both inspects.
    await ok([
      'run',
      '-d',
      '--name',
      'a1',
      '--network',
      'amnet',
      '--network-alias',
      'alpha',
      'busybox',
      'sleep',
      '120',
    ]);
    const ip = await ok([
      'inspect',
      '--format',
      '{{.NetworkSettings.Networks.amnet.IPAddress}}',
      'a1',
    ]);
    assert.equal(ip, `10.213.${third}.128`);
    const a1 = await ok(['inspect', '--format', '{{.Id}}', 'a1']);
    const after = await netJson('amnet');
    assert.deepEqual(Object.keys(after.Containers), [a1]);
    assert.equal(after.Containers[a1]?.Name, 'a1');
    assert.equal(after.Containers[a1]?.IPv4Address, `${ip}/24`);
    assert.match(after.Containers[a1]?.MacAddress ?? '', /^02:42:0a:d5:/);
    assert.equal(
      await ok(['inspect', '--format', '{{json .NetworkSettings.Networks.amnet.Aliases}}', 'a1']),
      '["alpha"]',
    );
  });

  it('containers reach each other by name, alias and short ID through the embedded DNS', async () => {
    const port = await freePort();
    await ok([
      'run',
      '-d',
      '--name',
      'srv',
      '--network',
      'amnet',
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
    const srvId = (await ok(['inspect', '--format', '{{.Id}}', 'srv'])).slice(0, 12);
    // Published from a user network too.
    let answer: Awaited<ReturnType<typeof httpGet>> = { error: 'none yet' };
    await waitFor(
      'httpd on the user network through its published port',
      async () => {
        answer = await httpGet('127.0.0.1', port, '/hostname', 2000);
        return 'status' in answer;
      },
      10_000,
      100,
    );
    assert.deepEqual(answer, { status: 200, body: `${srvId}\n` });
    const r = await dk([
      'run',
      '--rm',
      '--network',
      'amnet',
      'busybox',
      'sh',
      '-c',
      `cat /etc/resolv.conf; ping -c 1 -W 3 a1 && ping -c 1 -W 3 alpha && ping -c 1 -W 3 ${srvId} && printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 5 srv 80`,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.startsWith(`nameserver 10.213.${third}.254\n`), r.stdout);
    assert.ok(r.stdout.trimEnd().endsWith(srvId), r.stdout);
    // A link on a user network is a name for the linking container only.
    const linked = await dk([
      'run',
      '--rm',
      '--network',
      'amnet',
      '--link',
      'srv:webby',
      'busybox',
      'ping',
      '-c',
      '1',
      '-W',
      '3',
      'webby',
    ]);
    assert.equal(linked.code, 0, linked.stdout + linked.stderr);
    const unlinked = await dk([
      'run',
      '--rm',
      '--network',
      'amnet',
      'busybox',
      'nslookup',
      'webby',
    ]);
    assert.notEqual(unlinked.code, 0, unlinked.stdout);
    const onNet = await ok(['ps', '--filter', 'network=amnet', '--format', '{{.Names}}']);
    assert.deepEqual(onNet.split('\n').sort(), ['a1', 'srv']);
    const byNetworks = await ok(['ps', '--filter', 'name=srv', '--format', '{{.Networks}}']);
    assert.equal(byNetworks, 'amnet');
    // (busybox's wget crashes on this host, with or without berth: nc speaks HTTP instead.)
    // Unknown names fail fast instead of leaving the network.
    const miss = await dk([
      'run',
      '--rm',
      '--network',
      'amnet',
      'busybox',
      'nslookup',
      'nosuchname',
    ]);
    assert.notEqual(miss.code, 0);
    // The default bridge has no name resolution and no route to the user network.
    const apart = await dk([
      'run',
      '--rm',
      'busybox',
      'ping',
      '-c',
      '1',
      '-W',
      '2',
      `10.213.${third}.128`,
    ]);
    assert.notEqual(apart.code, 0, 'networks are isolated');
  });

  it('honours static addresses and never hands one out twice', async () => {
    await ok([
      'run',
      '-d',
      '--name',
      'fixed',
      '--network',
      'amnet',
      '--ip',
      `10.213.${third}.200`,
      'busybox',
      'sleep',
      '120',
    ]);
    assert.equal(
      await ok(['inspect', '--format', '{{.NetworkSettings.Networks.amnet.IPAddress}}', 'fixed']),
      `10.213.${third}.200`,
    );
    const dup = await dk([
      'run',
      '-d',
      '--name',
      'dup',
      '--network',
      'amnet',
      '--ip',
      `10.213.${third}.200`,
      'busybox',
      'sleep',
      '120',
    ]);
    assert.equal(dup.code, 125);
    assert.match(dup.stderr, new RegExp(`Address already in use: 10\\.213\\.${third}\\.200`));
    const outside = await dk([
      'run',
      '-d',
      '--network',
      'amnet',
      '--ip',
      '10.99.99.99',
      'busybox',
      'true',
    ]);
    assert.notEqual(outside.code, 0);
    const onDefault = await dk(['run', '--rm', '--ip', '10.1.1.1', 'busybox', 'true']);
    assert.equal(onDefault.code, 125);
    assert.match(
      onDefault.stderr,
      /user specified IP address is supported on user defined networks only/,
    );
    const ips = new Set<string>();
    for (const c of ['a1', 'srv', 'fixed'])
      ips.add(
        await ok(['inspect', '--format', '{{.NetworkSettings.Networks.amnet.IPAddress}}', c]),
      );
    assert.equal(ips.size, 3, [...ips].join(' '));
    await ok(['rm', '-f', 'dup', 'fixed']);
  });

  it('connects a running container live, with an alias, and disconnects it', async () => {
    const c = await ok(['run', '-d', '--name', 'late', 'busybox', 'sleep', '120']);
    const netId = (await netJson('amnet')).Id;
    assert.equal(
      (await dk(['network', 'connect', '--alias', 'latecomer', 'amnet', 'late'])).code,
      0,
    );
    const addrs = await ok(['exec', 'late', 'ip', '-o', '-4', 'addr']);
    assert.match(addrs, /eth1\s+inet 10\.213\./);
    const ping = await dk([
      'run',
      '--rm',
      '--network',
      'amnet',
      'busybox',
      'ping',
      '-c',
      '1',
      '-W',
      '3',
      'latecomer',
    ]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.ok(Object.keys((await netJson('amnet')).Containers).includes(c));
    const twice = await dk(['network', 'connect', 'amnet', 'late']);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /endpoint with name late already exists in network amnet/);
    assert.equal((await dk(['network', 'disconnect', 'amnet', 'late'])).code, 0);
    assert.doesNotMatch(await ok(['exec', 'late', 'ip', '-o', '-4', 'addr']), /eth1/);
    assert.equal(linkExists(hostVeth(c, netId)), false);
    const notThere = await dk(['network', 'disconnect', 'amnet', 'late']);
    assert.equal(notThere.code, 1);
    assert.match(notThere.stderr, /is not connected to network amnet/);
    // A stopped container's connection takes effect at its next start.
    await ok(['stop', '-t', '0', 'late']);
    await ok(['network', 'connect', '--ip', `10.213.${third}.77`, 'amnet', 'late']);
    await ok(['start', 'late']);
    assert.match(
      await ok(['exec', 'late', 'ip', '-o', '-4', 'addr']),
      new RegExp(`eth1\\s+inet 10\\.213\\.${third}\\.77/24`),
    );
    await ok(['rm', '-f', 'late']);
    await eventually('the veth to go', () => !linkExists(hostVeth(c, netId)));
  });

  it('refuses removal while in use (403), and removes the bridge after', async () => {
    const n = await netJson('amnet');
    const busy = await dk(['network', 'rm', 'amnet']);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`network amnet id ${n.Id} has active endpoints`));
    const raw = await apiRequest(d.socket, 'DELETE', '/v1.41/networks/amnet');
    assert.equal(raw.status, 403);
    await ok(['rm', '-f', 'a1', 'srv']);
    await eventually(
      'no veth on the bridge',
      () => bridgePorts(`br-${n.Id.slice(0, 12)}`).length === 0,
    );
    assert.equal(await ok(['network', 'rm', 'amnet']), 'amnet');
    assert.equal(linkExists(`br-${n.Id.slice(0, 12)}`), false);
    assert.deepEqual(netnsFiles(d), []);
    const gone = await dk(['network', 'inspect', 'amnet']);
    assert.equal(gone.code, 1);
  });

  it('refuses bad input with Docker status codes and messages', async () => {
    await ok(['network', 'create', 'dupnet']);
    const cases: [string, string, number, RegExp][] = [
      [
        'duplicate name',
        JSON.stringify({ Name: 'dupnet' }),
        409,
        /network with name dupnet already exists/,
      ],
      ['predefined', JSON.stringify({ Name: 'bridge' }), 403, /bridge is a pre-defined network/],
      [
        'bad subnet',
        JSON.stringify({ Name: 'x1', IPAM: { Config: [{ Subnet: '10.0.0.0/40' }] } }),
        400,
        /invalid subnet/,
      ],
      [
        'gateway outside',
        JSON.stringify({
          Name: 'x2',
          IPAM: { Config: [{ Subnet: '10.214.0.0/24', Gateway: '10.215.0.1' }] },
        }),
        400,
        /no matching subnet for gateway/,
      ],
      [
        'unknown driver',
        JSON.stringify({ Name: 'x3', Driver: 'overlayish' }),
        404,
        /plugin "overlayish" not found/,
      ],
      ['bad name', JSON.stringify({ Name: '-bad' }), 400, /invalid network name/],
      [
        'wrong type',
        JSON.stringify({ Name: 'x4', Internal: 'yes' }),
        400,
        /Internal must be a boolean/,
      ],
    ];
    for (const [what, body, status, message] of cases) {
      const r = await apiRequest(d.socket, 'POST', '/v1.41/networks/create', body);
      assert.equal(r.status, status, `${what}: ${r.body}`);
      assert.match(messageOf(r), message, what);
    }
    const dupSubnet = (await netJson('dupnet')).IPAM.Config[0]?.Subnet ?? '';
    const overlap = await dk(['network', 'create', '--subnet', dupSubnet, 'overlapping']);
    assert.equal(overlap.code, 1);
    assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
    const missing = await dk(['network', 'rm', 'nosuchnet']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /network nosuchnet not found/);
    const raw = await apiRequest(d.socket, 'GET', '/v1.41/networks/nosuchnet');
    assert.equal(raw.status, 404);
    assert.equal(messageOf(raw), 'network nosuchnet not found');
    const connectMissing = await dk(['network', 'connect', 'dupnet', 'nosuchcontainer']);
    assert.equal(connectMissing.code, 1);
    assert.match(connectMissing.stderr, /No such container: nosuchcontainer/);
    const names = await ok(['network', 'ls', '--format', '{{.Name}}']);
    assert.deepEqual(names.split('\n').sort(), ['bridge', 'dupnet', 'host', 'none']);
    assert.equal(await ok(['network', 'prune', '-f']), 'Deleted Networks:\ndupnet');
    assert.equal(await ok(['network', 'ls', '-q', '--filter', 'type=custom']), '');
  });

  it('an internal network resolves names but has no way out', async () => {
    await ok(['network', 'create', '--internal', 'inside']);
    assert.equal((await netJson('inside')).Internal, true);
    await ok(['run', '-d', '--name', 'in1', '--network', 'inside', 'busybox', 'sleep', '120']);
    const r = await dk([
      'run',
      '--rm',
      '--network',
      'inside',
      'busybox',
      'sh',
      '-c',
      'ping -c 1 -W 3 in1 && ip route',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /default/, 'no default route');
    await ok(['rm', '-f', 'in1']);
    await ok(['network', 'rm', 'inside']);
  });

  it('reports network create, connect, disconnect and destroy events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['network', 'create', 'evnet']);
    const c = await ok([
      'run',
      '-d',
      '--name',
      'ev',
      '--network',
      'evnet',
      'busybox',
      'sleep',
      '120',
    ]);
    await ok(['rm', '-f', 'ev']);
    await ok(['network', 'rm', 'evnet']);
    let lines: string[] = [];
    await waitFor('the events', async () => {
      const r = await dk([
        'events',
        '--since',
        String(since),
        '--until',
        String(Math.floor(Date.now() / 1000) + 1),
        '--filter',
        'type=network',
        '--format',
        '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}',
      ]);
      lines = r.stdout.trim().split('\n');
      return lines.length >= 4;
    });
    assert.deepEqual(
      lines.filter((l) => l.includes('evnet')),
      [
        'create evnet <no value>',
        `connect evnet ${c}`,
        `disconnect evnet ${c}`,
        'destroy evnet <no value>',
      ],
    );
  });
});
