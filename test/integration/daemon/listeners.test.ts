// Listen addresses: unix socket permissions, TCP with TLS client verification, fd:// socket
// activation, and sd_notify readiness over a real datagram socket.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSocket } from 'unix-dgram';
import { BerthClient } from '../../../src/client/client.js';
import { berth, daemonExit, docker, run, startDaemon, waitFor } from '../../helpers/daemon.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const r = await run('openssl', args, { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `openssl ${args.join(' ')}: ${r.stderr} (in ${dir})`);
}

/** A CA, a server certificate for 127.0.0.1, a client certificate, and a stranger's client certificate. */
async function makeCerts(dir: string): Promise<void> {
  const p = (f: string): string => join(dir, f);
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=berth test CA',
    '-keyout',
    p('ca-key.pem'),
    '-out',
    p('ca.pem'),
  ]);
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=other CA',
    '-keyout',
    p('other-ca-key.pem'),
    '-out',
    p('other-ca.pem'),
  ]);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    p('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await writeFile(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ca, ext] of [
    ['server', 'ca', 'server.ext'],
    ['cert', 'ca', 'client.ext'],
    ['stranger', 'other-ca', 'client.ext'],
  ] as const) {
    const key = name === 'cert' ? 'key' : `${name}-key`;
    await openssl(dir, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      p(`${key}.pem`),
      '-out',
      p(`${name}.csr`),
    ]);
    await openssl(dir, [
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p(`${ca}.pem`),
      '-CAkey',
      p(`${ca}-key.pem`),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      p(ext),
      '-out',
      p(`${name}.pem`),
    ]);
  }
}

describe('the unix socket', () => {
  it('is mode 0660 and owned by the --group', async () => {
    const d = await startDaemon({ args: ['--group', 'nogroup'] });
    try {
      const st = statSync(d.socket);
      assert.equal(st.mode & 0o777, 0o660);
      assert.equal(st.gid, 65534);
      assert.equal(st.uid, 0);
    } finally {
      await d.cleanup();
    }
  });

  it('refuses to start with a --group that does not exist', async () => {
    const r = await daemonExit(['--group', 'no-such-group-berth']);
    await rm(r.dir, { recursive: true, force: true });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /group no-such-group-berth not found/);
  });

  it('refuses to take over a socket another daemon answers on', async () => {
    const d = await startDaemon();
    try {
      const r = await run(
        process.execPath,
        [
          join(process.env['BERTH_REPO'] ?? '', 'bin/berth'),
          'daemon',
          '-H',
          d.host,
          '--data-root',
          `${d.dir}/r2`,
          '--exec-root',
          `${d.dir}/x2`,
          '--pidfile',
          `${d.dir}/p2`,
          '--config-file',
          d.configFile,
        ],
        { timeoutMs: 15_000 },
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /another daemon is already listening/);
      assert.equal((await d.client.ping()).apiVersion, '1.41', 'the first daemon still answers');
    } finally {
      await d.cleanup();
    }
  });
});

describe('TCP with TLS', () => {
  let certs: string;
  before(async () => {
    certs = await mkdtemp(join(tmpdir(), 'berth-certs-'));
    await makeCerts(certs);
  });
  after(async () => {
    await rm(certs, { recursive: true, force: true });
  });

  it('--tlsverify serves clients with a certificate from the CA and refuses others', async () => {
    const port = await freePort();
    const tcp = `tcp://127.0.0.1:${port}`;
    const d = await startDaemon({
      hosts: [tcp],
      args: [
        '--tlsverify',
        '--tlscacert',
        join(certs, 'ca.pem'),
        '--tlscert',
        join(certs, 'server.pem'),
        '--tlskey',
        join(certs, 'server-key.pem'),
      ],
    });
    try {
      const good = new BerthClient({
        host: { kind: 'tcp', host: '127.0.0.1', port },
        tls: {
          verify: true,
          caCert: join(certs, 'ca.pem'),
          cert: join(certs, 'cert.pem'),
          key: join(certs, 'key.pem'),
        },
      });
      assert.equal((await good.version()).ApiVersion, '1.41');

      const viaDocker = await docker(tcp, [
        '--tlsverify',
        '--tlscacert',
        join(certs, 'ca.pem'),
        '--tlscert',
        join(certs, 'cert.pem'),
        '--tlskey',
        join(certs, 'key.pem'),
        'version',
        '--format',
        '{{.Server.Os}}',
      ]);
      assert.equal(viaDocker.code, 0, viaDocker.stderr);
      assert.equal(viaDocker.stdout.trim(), 'linux');

      const viaBerth = await berth([
        '-H',
        tcp,
        '--tlsverify',
        '--tlscacert',
        join(certs, 'ca.pem'),
        '--tlscert',
        join(certs, 'cert.pem'),
        '--tlskey',
        join(certs, 'key.pem'),
        'info',
        '--format',
        '{{.OSType}}',
      ]);
      assert.equal(viaBerth.code, 0, viaBerth.stderr);
      assert.equal(viaBerth.stdout.trim(), 'linux');

      const noCert = new BerthClient({
        host: { kind: 'tcp', host: '127.0.0.1', port },
        tls: { verify: true, caCert: join(certs, 'ca.pem') },
      });
      await assert.rejects(noCert.version());
      const stranger = new BerthClient({
        host: { kind: 'tcp', host: '127.0.0.1', port },
        tls: {
          verify: true,
          caCert: join(certs, 'ca.pem'),
          cert: join(certs, 'stranger.pem'),
          key: join(certs, 'stranger-key.pem'),
        },
      });
      await assert.rejects(stranger.version());
      const plain = new BerthClient({ host: { kind: 'tcp', host: '127.0.0.1', port } });
      await assert.rejects(plain.version());
      const dockerNoCert = await docker(tcp, ['version']);
      assert.notEqual(dockerNoCert.code, 0);
    } finally {
      await d.cleanup();
    }
  });

  it('--tls=false forces a plain TCP listener, with a warning', async () => {
    const port = await freePort();
    const d = await startDaemon({ hosts: [`tcp://127.0.0.1:${port}`], args: ['--tls=false'] });
    try {
      const client = new BerthClient({ host: { kind: 'tcp', host: '127.0.0.1', port } });
      assert.equal((await client.ping()).apiVersion, '1.41');
      assert.match(d.log(), /API is accessible on TCP without encryption/);
      const info = await client.info();
      assert.ok(info.Warnings?.some((w) => /without encryption/.test(w)));
    } finally {
      await d.cleanup();
    }
  });
});

describe('socket activation and readiness', () => {
  it('serves on a socket passed with LISTEN_FDS (fd://)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-fd-'));
    const path = join(dir, 'activated.sock');
    const bindPath = join(dir, 'bind.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(bindPath, resolve));
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    const d = await startDaemon({
      hosts: ['fd://'],
      env: { LISTEN_FDS: '1' },
      // LISTEN_PID must name the daemon itself: the shell exports its own pid, then execs node.
      wrap: (argv) => [
        '/bin/sh',
        '-c',
        'LISTEN_PID=$$; export LISTEN_PID; exec "$@"',
        'sh',
        ...argv,
      ],
      stdio: ['ignore', 'pipe', 'pipe', fd],
    });
    // The daemon holds a copy of the socket now. Closing ours would unlink its path, so the
    // socket file moves to its final name first.
    await rename(bindPath, path);
    server.close();
    try {
      const client = new BerthClient({ host: { kind: 'unix', path } });
      assert.equal((await client.version()).Os, 'linux');
      assert.match(d.log(), /API listen on fd:\/\/3/);
    } finally {
      await d.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fd:// without activated sockets is refused with the reason', async () => {
    const r = await daemonExit(['-H', 'fd://']);
    await rm(r.dir, { recursive: true, force: true });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no sockets found via socket activation/);
  });

  it('sends READY=1 to NOTIFY_SOCKET once it answers requests', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-notify-'));
    const path = join(dir, 'notify.sock');
    const messages: string[] = [];
    const socket = createSocket('unix_dgram', (msg) => messages.push(msg.toString()));
    socket.bind(path);
    let d;
    try {
      d = await startDaemon({ env: { NOTIFY_SOCKET: path }, waitReady: false });
      const daemon = d;
      await waitFor('READY=1', async () => messages.includes('READY=1'), 15_000);
      assert.equal(
        (await daemon.client.ping()).apiVersion,
        '1.41',
        'the API answers once READY=1 was sent',
      );
      daemon.process.kill('SIGTERM');
      await daemon.exited;
      await waitFor('STOPPING=1', async () => messages.includes('STOPPING=1'), 5000);
    } finally {
      socket.close();
      await d?.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
