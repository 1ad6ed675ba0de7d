// Start-up validation, the pidfile, and signals (S1.3, S1.4, S1.5), on real daemon processes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { daemonExit, readPid, run, BERTH_BIN, startDaemon, waitFor } from '../../helpers/daemon.js';

async function expectRefusal(
  args: string[],
  message: RegExp,
  options: { config?: string; code?: number } = {},
): Promise<void> {
  const r = await daemonExit(args, { config: options.config });
  try {
    assert.equal(r.code, options.code ?? 1, `exit code for ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(existsSync(join(r.dir, 'root')), false, 'nothing was created before the refusal');
    assert.equal(existsSync(join(r.dir, 'berth.pid')), false, 'no pidfile was written');
  } finally {
    await rm(r.dir, { recursive: true, force: true });
  }
}

function sleepRequest(socket: string, ms: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: socket,
        method: 'POST',
        path: '/berth/debug/sleep',
        agent: false,
        headers: { 'Content-Type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ Milliseconds: ms }));
  });
}

describe('daemon start-up validation', () => {
  it('refuses --bridge with --bip', () =>
    expectRefusal(
      ['--bridge', 'br0', '--bip', '10.1.0.1/24'],
      /You specified -b & --bip, mutually exclusive options/,
    ));
  it('refuses --icc=false with --iptables=false', () =>
    expectRefusal(['--icc=false', '--iptables=false'], /ICC=false uses iptables to function/));
  it('refuses a TCP listener without TLS', () =>
    expectRefusal(
      ['-H', 'tcp://127.0.0.1:0'],
      /refusing to listen on tcp:\/\/127\.0\.0\.1:0 without TLS/,
    ));
  it('refuses a bad log level, storage driver, runtime and address', async () => {
    await expectRefusal(['--log-level', 'loud'], /unable to parse logging level: loud/);
    await expectRefusal(['--storage-driver', 'zfs'], /unknown storage driver "zfs"/);
    await expectRefusal(['--default-runtime', 'kata'], /unknown runtime "kata"/);
    await expectRefusal(['-H', 'ftp://x'], /Invalid bind address format: ftp:\/\/x/);
    await expectRefusal(['--dns', 'not-an-ip'], /not-an-ip is not an ip address/);
    await expectRefusal(['--mtu', '12'], /invalid MTU 12/);
    await expectRefusal(['--mtu', 'abc'], /invalid argument "abc" for "--mtu" flag/, { code: 2 });
  });
  it('refuses a daemon.json key that is also a flag, naming it', () =>
    expectRefusal(
      ['--debug'],
      /specified both as a flag and in the configuration file: debug: \(from flag: true, from file: false\)/,
      { config: '{"debug": false}' },
    ));
  it('refuses an unknown daemon.json key, naming it', () =>
    expectRefusal([], /don't match any configuration option: no-such-key/, {
      config: '{"no-such-key": 1, "debug": true}',
    }));
  it('refuses a daemon.json value of the wrong type, naming the key', () =>
    expectRefusal([], /invalid value for "mtu": expected an integer/, {
      config: '{"mtu": "1500"}',
    }));
  it('refuses a daemon.json that is not JSON', () =>
    expectRefusal([], /is not valid JSON/, { config: '{"debug": tru' }));
  it('prints usage and exits 2 on extra arguments or unknown flags', async () => {
    await expectRefusal(['extra'], /accepts no arguments[\s\S]*Usage:\s+berth daemon/, { code: 2 });
    await expectRefusal(['--no-such-flag'], /unknown flag: --no-such-flag/, { code: 2 });
  });
  it('--validate checks the configuration and exits 0', async () => {
    const r = await daemonExit(['--validate']);
    await rm(r.dir, { recursive: true, force: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'configuration OK');
  });
  it('refuses to run as a non-root user', async () => {
    const r = await run('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      BERTH_BIN,
      'daemon',
      '--validate',
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /needs to be started as root/);
  });
});

describe('the pidfile', () => {
  it('is written at start, refuses a second daemon while it lives, and is removed at shutdown', async () => {
    const d = await startDaemon();
    try {
      assert.equal(await readPid(d.pidfile), d.process.pid);
      const second = await run(
        process.execPath,
        [
          BERTH_BIN,
          'daemon',
          '-H',
          `unix://${d.dir}/other.sock`,
          '--data-root',
          `${d.dir}/root2`,
          '--exec-root',
          `${d.dir}/run2`,
          '--pidfile',
          d.pidfile,
          '--config-file',
          d.configFile,
        ],
        { timeoutMs: 15_000 },
      );
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`process with PID ${d.process.pid} is still running`));
      assert.equal(existsSync(`${d.dir}/other.sock`), false);
      d.process.kill('SIGTERM');
      const exit = await d.exited;
      assert.equal(exit.code, 0, d.log());
      assert.equal(existsSync(d.pidfile), false, 'the pidfile is removed');
      assert.equal(existsSync(d.socket), false, 'the socket is removed');
    } finally {
      await d.cleanup();
    }
  });

  it('replaces a pidfile that names a dead process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-stale-'));
    const stale = join(dir, 'stale.pid');
    await writeFile(stale, '999999999');
    const d = await startDaemon({ args: ['--pidfile', stale] });
    try {
      assert.equal(await readPid(stale), d.process.pid);
    } finally {
      await d.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('signals', () => {
  it('SIGTERM waits for a job in flight, refuses new work, then exits 0 within 15 s', async () => {
    const d = await startDaemon();
    try {
      const slow = sleepRequest(d.socket, 1500);
      await waitFor('the slow job to start', async () =>
        (await d.client.jobs()).some((j) => j.Name === 'debug.sleep'),
      );
      const started = Date.now();
      d.process.kill('SIGTERM');
      await waitFor('the listener to close', async () => !existsSync(d.socket), 5000);
      const reply = await slow;
      assert.equal(reply.status, 200, 'the job in flight finished');
      assert.deepEqual(JSON.parse(reply.body), { Slept: 1500 });
      const exit = await d.exited;
      assert.equal(exit.code, 0);
      assert.ok(Date.now() - started < 15_000);
      assert.match(d.log(), /jobs drained" waitedFor=1/);
      assert.match(d.log(), /Daemon shutdown complete/);
      assert.equal(existsSync(d.pidfile), false);
    } finally {
      await d.cleanup();
    }
  });

  it('a second SIGTERM forces the exit', async () => {
    const d = await startDaemon();
    try {
      const slow = sleepRequest(d.socket, 30_000).catch(() => undefined);
      await waitFor('the slow job to start', async () =>
        (await d.client.jobs()).some((j) => j.Name === 'debug.sleep'),
      );
      const started = Date.now();
      d.process.kill('SIGTERM');
      await waitFor('the shutdown to begin', async () =>
        d.log().includes("Processing signal 'SIGTERM'"),
      );
      d.process.kill('SIGTERM');
      const exit = await d.exited;
      assert.equal(exit.code, 143);
      assert.ok(Date.now() - started < 5000, 'did not wait for the 30 s job');
      assert.match(d.log(), /Forcing berth daemon shutdown/);
      await slow;
    } finally {
      await d.cleanup();
    }
  });

  it('SIGQUIT dumps the active jobs to the log and exits', async () => {
    const d = await startDaemon();
    try {
      const slow = sleepRequest(d.socket, 30_000).catch(() => undefined);
      await waitFor('the slow job to start', async () =>
        (await d.client.jobs()).some((j) => j.Name === 'debug.sleep'),
      );
      d.process.kill('SIGQUIT');
      const exit = await d.exited;
      assert.equal(exit.code, 131);
      assert.match(d.log(), /SIGQUIT received: dump of 1 active job\(s\)/);
      assert.match(
        d.log(),
        /job debug\.sleep id=[0-9a-f]+ kind=task status=running[\s\S]*sleeping 30000 ms/,
      );
      await slow;
    } finally {
      await d.cleanup();
    }
  });
});
