// The daemon's bridge flags: --bip, --fixed-cidr, --mtu, --icc=false, and --iptables=false.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { candidateSubnets } from '../../../src/core/network/ipam.js';
import {
  formatIp,
  formatSubnet,
  overlaps,
  parseSubnet,
  type Subnet,
} from '../../../src/core/network/ipv4.js';
import { defaultBridgeOf, linkExists, rulesOf } from './helpers.js';

describe('daemon network options', () => {
  const daemons: TestDaemon[] = [];
  after(async () => {
    for (const d of daemons) {
      const ids = (await docker(d.host, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await docker(d.host, ['rm', '-f', ...ids]);
      await d.cleanup();
      assert.equal(linkExists(defaultBridgeOf(d)), false);
      assert.deepEqual(rulesOf(d), []);
    }
  });

  it('puts the bridge at --bip, containers in --fixed-cidr with --mtu, and --icc=false apart', async () => {
    const third = randomInt(1, 250);
    const d = await startDaemon({
      args: [
        '--bip',
        `10.214.${third}.1/24`,
        '--fixed-cidr',
        `10.214.${third}.128/25`,
        '--mtu',
        '1400',
        '--icc=false',
      ],
    });
    daemons.push(d);
    const dk = (args: string[]): ReturnType<typeof docker> =>
      docker(d.host, args, { timeoutMs: 30_000 });
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
    const cfg = await dk([
      'network',
      'inspect',
      '--format',
      '{{json .IPAM.Config}} {{index .Options "com.docker.network.bridge.enable_icc"}}',
      'bridge',
    ]);
    assert.equal(
      cfg.stdout.trim(),
      `[{"Subnet":"10.214.${third}.0/24","IPRange":"10.214.${third}.128/25","Gateway":"10.214.${third}.1"}] false`,
    );
    const one = await dk(['run', '-d', '--name', 'one', 'busybox', 'sleep', '120']);
    assert.equal(one.code, 0, one.stderr);
    const ip = (
      await dk(['inspect', '--format', '{{.NetworkSettings.IPAddress}}', 'one'])
    ).stdout.trim();
    assert.equal(ip, `10.214.${third}.128`);
    const r = await dk([
      'run',
      '--rm',
      'busybox',
      'sh',
      '-c',
      `cat /sys/class/net/eth0/mtu; ping -c 1 -W 2 ${ip}`,
    ]);
    assert.equal(r.stdout.split('\n')[0], '1400');
    assert.notEqual(r.code, 0, 'no traffic between containers with --icc=false');
    assert.ok(
      rulesOf(d).some((l) =>
        l.endsWith(`-i ${defaultBridgeOf(d)} -o ${defaultBridgeOf(d)} -j DROP`),
      ),
    );
  });

  it('has no default network with --bridge=none, and a new --bip replaces the old address', async () => {
    const d = await startDaemon({ args: ['--bridge', 'none'] });
    daemons.push(d);
    const dk = (args: string[]): ReturnType<typeof docker> =>
      docker(d.host, args, { timeoutMs: 30_000 });
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
    assert.equal(linkExists(defaultBridgeOf(d)), false);
    const ls = await dk(['network', 'ls', '--format', '{{.Name}}']);
    assert.deepEqual(ls.stdout.trim().split('\n').sort(), ['host', 'none']);
    const r = await dk(['run', '--rm', 'busybox', 'ip', '-o', 'link']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1]?.trim()),
      ['lo'],
    );
    // The same state with a bridge again, then with another --bip: one address, the new one.
    d.process.kill('SIGTERM');
    await d.exited;
    const third = randomInt(1, 250);
    for (const bip of [`10.215.${third}.1/24`, `10.216.${third}.1/24`]) {
      const again = await startDaemon({ reuseDir: d.dir, args: ['--bip', bip] });
      daemons.push(again);
      const addrs = execFileSync(
        'ip',
        ['-4', '-o', 'addr', 'show', 'dev', defaultBridgeOf(again)],
        {
          encoding: 'utf8',
        },
      );
      assert.deepEqual(
        [...addrs.matchAll(/inet (\S+)/g)].map((m) => m[1]),
        [bip],
      );
      again.process.kill('SIGTERM');
      await again.exited;
    }
  });

  it('coexists with another engine: skips its subnet, leaves its bridge and rules alone', async () => {
    // Where this daemon would look first (see chooseSubnet's offset in default-bridge.ts).
    const dir = await mkdtemp(join(tmpdir(), 'berth-test-'));
    const tag = createHash('sha256').update(join(dir, 'run')).digest('hex').slice(0, 6);
    const first = candidateSubnets()[Number.parseInt(tag.slice(0, 4), 16) % 31] as Subnet;
    const other = `oth${tag}`;
    const chain = `OTHER-${tag}`;
    const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
    const iptables = (...args: string[]): string =>
      execFileSync('iptables', args, { encoding: 'utf8' });
    try {
      ip('link', 'add', 'name', other, 'type', 'bridge');
      ip('addr', 'add', `${formatIp(first.base + 1)}/${first.bits}`, 'dev', other);
      ip('link', 'set', other, 'up');
      iptables('-N', chain);
      iptables('-I', 'FORWARD', '-j', chain);
      iptables('-A', chain, '-o', other, '-j', 'ACCEPT');
      const d = await startDaemon({ reuseDir: dir });
      const subnet = (
        await docker(d.host, [
          'network',
          'inspect',
          '--format',
          '{{(index .IPAM.Config 0).Subnet}}',
          'bridge',
        ])
      ).stdout.trim();
      assert.ok(!overlaps(parseSubnet(subnet), first), `${subnet} overlaps ${formatSubnet(first)}`);
      await d.cleanup();
      assert.ok(linkExists(other), 'the other bridge stays');
      assert.match(iptables('-S', 'FORWARD'), new RegExp(`-A FORWARD -j ${chain}`));
      assert.match(iptables('-S', chain), new RegExp(`-A ${chain} -o ${other} -j ACCEPT`));
    } finally {
      execFileSync('iptables', ['-D', 'FORWARD', '-j', chain], { stdio: 'ignore' });
      execFileSync('iptables', ['-F', chain], { stdio: 'ignore' });
      execFileSync('iptables', ['-X', chain], { stdio: 'ignore' });
      if (linkExists(other)) ip('link', 'del', other);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('adds no rule with --iptables=false', async () => {
    const d = await startDaemon({ args: ['--iptables=false'] });
    daemons.push(d);
    assert.ok(linkExists(defaultBridgeOf(d)));
    assert.deepEqual(rulesOf(d), []);
  });
});
