// The embedded DNS for containers on several networks, through the real Docker CLI: a
// container resolves names on every user network it is on, whichever resolver it asks, and
// none on the others; a default-bridge container connected live to a user network gets the
// network's resolver in its resolv.conf, and a sane file back when it is disconnected.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { linkExists, rulesOf } from './helpers.js';

describe('embedded DNS across several networks', () => {
  let d: TestDaemon;
  const dk = (args: string[], timeoutMs = 30_000): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs });
  const ok = async (args: string[]): Promise<string> => {
    const r = await dk(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout.trim();
  };
  /** What `nslookup name [server]` says inside container `c`. */
  const lookup = (c: string, name: string, server?: string): ReturnType<typeof docker> =>
    dk(['exec', c, 'nslookup', name, ...(server ? [server] : [])]);
  /** Asserts that `name` resolves inside `c` (through `server` when given). */
  const resolves = async (c: string, name: string, server?: string): Promise<void> => {
    const r = await lookup(c, name, server);
    assert.equal(r.code, 0, `${c}: ${name} at ${server ?? 'its resolver'}: ${r.stdout}${r.stderr}`);
  };
  /** Asserts that the resolver `c` asks answers that `name` does not exist (not a timeout). */
  const unknown = async (c: string, name: string, server?: string): Promise<void> => {
    const r = await lookup(c, name, server);
    assert.notEqual(r.code, 0, `${c}: ${name} resolved: ${r.stdout}`);
    assert.match(r.stdout + r.stderr, /NXDOMAIN/, `${c}: ${name}: ${r.stdout}${r.stderr}`);
  };
  const resolvConfOf = (c: string): Promise<string> =>
    ok(['exec', c, 'cat', '/etc/resolv.conf']).then((s) => s + '\n');
  // Two /24s few other things use; random so that parallel runs rarely meet.
  const third = randomInt(1, 250);
  const redGw = `10.216.${third}.1`;
  const blueGw = `10.217.${third}.1`;

  before(async () => {
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
    await ok(['network', 'create', '--subnet', `10.216.${third}.0/24`, 'red']);
    await ok(['network', 'create', '--subnet', `10.217.${third}.0/24`, 'blue']);
    const sleeper = (name: string, ...opts: string[]): Promise<string> =>
      ok(['run', '-d', '--name', name, ...opts, 'busybox', 'sleep', '300']);
    await sleeper('r1', '--network', 'red', '--network-alias', 'ruby');
    await sleeper('b1', '--network', 'blue', '--network-alias', 'bee');
    await sleeper('solo', '--network', 'red');
    await sleeper('plain');
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

  it('a container on two networks resolves names on both, through either resolver', async () => {
    const b1Short = (await ok(['inspect', '--format', '{{.Id}}', 'b1'])).slice(0, 12);
    // Connected live to its second network.
    await ok(['run', '-d', '--name', 'both', '--network', 'red', 'busybox', 'sleep', '300']);
    await ok(['network', 'connect', 'blue', 'both']);
    assert.match(await resolvConfOf('both'), new RegExp(`^nameserver ${redGw}\n`));
    for (const name of ['r1', 'ruby', 'b1', 'bee', b1Short]) await resolves('both', name);
    for (const name of ['r1', 'b1'])
      for (const server of [redGw, blueGw]) await resolves('both', name, server);
    const ping = await dk(['exec', 'both', 'ping', '-c', '1', '-W', '3', 'bee']);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    // Connected while stopped, so both networks are there from its start.
    await ok(['create', '--name', 'two', '--network', 'blue', 'busybox', 'sleep', '300']);
    await ok(['network', 'connect', 'red', 'two']);
    await ok(['start', 'two']);
    assert.match(await resolvConfOf('two'), new RegExp(`^nameserver ${blueGw}\n`));
    await resolves('two', 'ruby');
    await resolves('two', 'ruby', redGw);
    await resolves('two', 'both');
    // The name answers with its address on a network the asker shares with it.
    const bothOnBlue = await ok([
      'inspect',
      '--format',
      '{{(index .NetworkSettings.Networks "blue").IPAddress}}',
      'both',
    ]);
    const seen = await ok(['exec', 'b1', 'nslookup', 'both']);
    assert.ok(seen.includes(bothOnBlue), seen);
  });

  it("keeps a container to its own networks' names, whichever resolver it asks", async () => {
    await resolves('solo', 'ruby');
    await unknown('solo', 'b1');
    await unknown('solo', 'bee', blueGw);
    await unknown('b1', 'r1');
    await unknown('b1', 'solo', redGw);
    // The default bridge has no names, from any user network's resolver either.
    await unknown('plain', 'r1', redGw);
    await unknown('plain', 'b1', blueGw);
  });

  it("points a default-bridge container's resolv.conf at a network it joins, and back", async () => {
    await ok([
      'run',
      '-d',
      '--name',
      'dflt',
      '--dns-search',
      'corp.test',
      '--dns-opt',
      'attempts:2',
      'busybox',
      'sleep',
      '300',
    ]);
    const original = await resolvConfOf('dflt');
    assert.doesNotMatch(original, new RegExp(`nameserver (${redGw}|${blueGw})`));
    assert.match(original, /^search corp\.test$/m);
    await ok(['network', 'connect', 'red', 'dflt']);
    const onRed = await resolvConfOf('dflt');
    assert.match(onRed, new RegExp(`^nameserver ${redGw}\n`));
    assert.equal(onRed.match(/^nameserver /gm)?.length, 1, onRed);
    assert.match(onRed, /^search corp\.test$/m);
    assert.match(onRed, /^options ndots:0 attempts:2$/m);
    // The host's file the inspect names is the one the container sees (same inode).
    const path = await ok(['inspect', '--format', '{{.ResolvConfPath}}', 'dflt']);
    assert.equal(await readFile(path, 'utf8'), onRed);
    const ping = await dk(['exec', 'dflt', 'ping', '-c', '1', '-W', '3', 'ruby']);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    // (Its search domain would send `r1.corp.test` first, which this host cannot answer: the
    // name is asked for as it is.)
    await resolves('dflt', 'r1.');
    // A second network: the resolver stays, the names of both resolve.
    await ok(['network', 'connect', 'blue', 'dflt']);
    assert.equal(await resolvConfOf('dflt'), onRed);
    await resolves('dflt', 'bee.');
    // A restart keeps the resolver (its start finds the user networks).
    await ok(['restart', '-t', '0', 'dflt']);
    assert.equal(await resolvConfOf('dflt'), onRed);
    await resolves('dflt', 'r1.');
    // Leaving the network the file names: the other's resolver, and red's names go.
    await ok(['network', 'disconnect', 'red', 'dflt']);
    const onBlue = await resolvConfOf('dflt');
    assert.equal(onBlue, onRed.replace(`nameserver ${redGw}`, `nameserver ${blueGw}`));
    await resolves('dflt', 'bee.');
    await unknown('dflt', 'ruby.');
    // Leaving the last: the file it started with.
    await ok(['network', 'disconnect', 'blue', 'dflt']);
    assert.equal(await resolvConfOf('dflt'), original);
  });

  it('leaves the resolv.conf of a container with --dns, or one it changed itself', async () => {
    // The bridge keeps its MAC address as containers come and go (else the others' ARP
    // entries for their resolver go stale and their queries get lost for a while).
    const redId = await ok(['network', 'inspect', '--format', '{{.Id}}', 'red']);
    const macOfRed = (): Promise<string> =>
      readFile(`/sys/class/net/br-${redId.slice(0, 12)}/address`, 'utf8');
    const redMac = await macOfRed();
    assert.match(redMac, /^02:/);
    await ok(['run', '-d', '--name', 'own', '--dns', '192.0.2.53', 'busybox', 'sleep', '300']);
    const own = await resolvConfOf('own');
    assert.match(own, /^nameserver 192\.0\.2\.53$/m);
    await ok(['network', 'connect', 'red', 'own']);
    assert.equal(await resolvConfOf('own'), own);
    await ok(['network', 'disconnect', 'red', 'own']);
    assert.equal(await resolvConfOf('own'), own);

    await ok(['run', '-d', '--name', 'edited', 'busybox', 'sleep', '300']);
    await ok(['exec', 'edited', 'sh', '-c', 'echo "# mine" >> /etc/resolv.conf']);
    const edited = await resolvConfOf('edited');
    await ok(['network', 'connect', 'red', 'edited']);
    assert.equal(await resolvConfOf('edited'), edited);
    assert.equal(await macOfRed(), redMac);
    // The daemon is still there and answering, the other containers' queries too.
    await resolves('solo', 'r1');
  });

  it('refuses a bad disconnect without touching resolv.conf', async () => {
    const before = await resolvConfOf('plain');
    const r = await dk(['network', 'disconnect', 'red', 'plain']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not connected to network red/);
    const missing = await dk(['network', 'connect', 'nosuchnet', 'plain']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /network nosuchnet not found/);
    assert.equal(await resolvConfOf('plain'), before);
  });
});
