// berth's own client for networks: `berth network ...`, and run's -p, -P, --network,
// --network-alias, --add-host, --dns against a real daemon.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { berth, docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { freePort, httpGet, linkExists } from './helpers.js';

describe('berth network commands', () => {
  let d: TestDaemon;
  const b = (args: string[]): ReturnType<typeof berth> =>
    berth(['-H', d.host, ...args], { timeoutMs: 30_000 });
  const ok = async (args: string[]): Promise<string> => {
    const r = await b(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    d = await startDaemon();
    assert.equal((await docker(d.host, ['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await b(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await b(['rm', '-f', ...ids]);
    await b(['network', 'prune', '-f']);
    await d?.cleanup();
  });

  it('creates, lists, inspects, connects, disconnects and removes networks', async () => {
    const id = (await ok(['network', 'create', '--label', 'k=v', 'clinet'])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const ls = await ok(['network', 'ls']);
    assert.match(ls, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\n/);
    assert.match(ls, new RegExp(`${id.slice(0, 12)}\\s+clinet\\s+bridge\\s+local`));
    assert.equal(
      await ok(['network', 'ls', '-q', '--filter', 'label=k=v']),
      `${id.slice(0, 12)}\n`,
    );
    assert.equal(
      await ok(['network', 'inspect', '--format', '{{.Name}} {{.Driver}}', 'clinet']),
      'clinet bridge\n',
    );
    await ok([
      'run',
      '-d',
      '--name',
      'c1',
      '--network',
      'clinet',
      '--network-alias',
      'uno',
      'busybox',
      'sleep',
      '120',
    ]);
    await ok(['run', '-d', '--name', 'c2', 'busybox', 'sleep', '120']);
    await ok(['network', 'connect', '--alias', 'dos', 'clinet', 'c2']);
    const ping = await b([
      'run',
      '--rm',
      '--network',
      'clinet',
      'busybox',
      'sh',
      '-c',
      'ping -c 1 -W 3 uno && ping -c 1 -W 3 dos',
    ]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    await ok(['network', 'disconnect', 'clinet', 'c2']);
    const busy = await b(['network', 'rm', 'clinet']);
    assert.equal(busy.code, 1);
    assert.match(
      busy.stderr,
      /Error response from daemon: error while removing network: network clinet id \w+ has active endpoints/,
    );
    await ok(['rm', '-f', 'c1', 'c2']);
    assert.equal(await ok(['network', 'rm', 'clinet']), 'clinet\n');
    assert.equal(linkExists(`br-${id.slice(0, 12)}`), false);
    const missing = await b(['network', 'rm', 'nosuchnet']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: network nosuchnet not found\n');
    const usage = await b(['network', 'connect', 'only-one']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /requires 2 arguments/);
  });

  it('publishes ports with -p and -P, and sets hosts and DNS with --add-host and --dns', async () => {
    const port = await freePort();
    await ok([
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
    await waitFor(
      'httpd',
      async () => 'status' in (await httpGet('127.0.0.1', port, '/', 1000)),
      10_000,
      100,
    );
    assert.equal(await ok(['port', 'web']), `80/tcp -> 127.0.0.1:${port}\n`);
    await ok(['run', '-d', '--name', 'all', '--expose', '81', '-P', 'busybox', 'sleep', '120']);
    assert.match(await ok(['port', 'all', '81']), /^0\.0\.0\.0:\d+\n$/);
    const files = await ok([
      'run',
      '--rm',
      '--add-host',
      'h.example:10.2.3.4',
      '--dns',
      '10.3.3.3',
      'busybox',
      'sh',
      '-c',
      'grep h.example /etc/hosts; cat /etc/resolv.conf',
    ]);
    assert.equal(files, '10.2.3.4\th.example\nnameserver 10.3.3.3\n');
    const bad = await b(['run', '--rm', '--dns', 'nope', 'busybox', 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /nope is not an ip address/);
    await ok(['rm', '-f', 'web', 'all']);
  });
});
