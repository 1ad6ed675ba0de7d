// Test registries: Debian's docker-registry (distribution 2.8) on 127.0.0.1 with its own
// storage in a temp dir, optionally behind htpasswd (bcrypt from libcrypt via perl) or token
// auth (a tiny issuer in this process signs ES256 JWTs with a throwaway certificate).
// Everything is stopped by PID and removed in stop().

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './daemon.js';

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly dir: string;
  /** Root of the registry's filesystem storage (`docker/registry/v2/...` below it). */
  readonly storage: string;
  readonly process: ChildProcess;
  log(): string;
  /** SIGKILL now (a registry dying mid-transfer); stop() still cleans up. */
  kill(): void;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** user → password: htpasswd basic auth. */
  readonly htpasswd?: Record<string, string>;
  /** user → password: bearer-token auth through an issuer run by this process. */
  readonly token?: Record<string, string>;
  /** TLS with this certificate and key (PEM paths); clientCa requires client certificates. */
  readonly tls?: { cert: string; key: string; clientCa?: string };
  /** Storage root to reuse (a second registry over the same blobs). */
  readonly storage?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function bcrypt(password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = [...randomBytes(22)].map((b) => alphabet[b % 64]).join('');
  // perl's crypt() is libcrypt's, which knows bcrypt ($2b$); the password goes in through env.
  return execFileSync('perl', ['-e', 'print crypt($ENV{PW}, $ENV{SALT})'], {
    env: { PW: password, SALT: `$2b$05$${salt}` },
    encoding: 'utf8',
  });
}

/** A self-signed certificate and key (PEM files in dir) for `cn`, valid for 127.0.0.1. */
export function selfSignedCert(
  dir: string,
  name: string,
  options: { cn: string; ec?: boolean; caCert?: string; caKey?: string },
): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const keyArgs = options.ec
    ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
    : ['-newkey', 'rsa:2048'];
  const common = ['-nodes', '-keyout', key, '-subj', `/CN=${options.cn}`, '-days', '2'];
  if (options.caCert && options.caKey) {
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    execFileSync('openssl', ['req', '-new', ...keyArgs, ...common, '-out', csr], {
      stdio: 'ignore',
    });
    execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${ext}`]);
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        options.caCert,
        '-CAkey',
        options.caKey,
        '-CAcreateserial',
        '-out',
        cert,
        '-days',
        '2',
        '-extfile',
        ext,
      ],
      { stdio: 'ignore' },
    );
  } else {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...keyArgs,
        ...common,
        '-out',
        cert,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
  }
  return { cert, key };
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

interface Issuer {
  readonly realm: string;
  close(): Promise<void>;
}

/** The token endpoint: checks basic credentials and grants every scope asked for. */
async function startIssuer(
  users: Record<string, string>,
  cert: string,
  key: string,
): Promise<Issuer> {
  const certPem = await readFile(cert, 'utf8');
  const privateKey = createPrivateKey(await readFile(key, 'utf8'));
  const der = new X509Certificate(certPem).raw.toString('base64');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const header = req.headers.authorization ?? '';
    let account = '';
    if (header.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString().split(':');
      if (users[user ?? ''] === undefined || users[user ?? ''] !== rest.join(':')) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }],
          }),
        );
        return;
      }
      account = user ?? '';
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, ...middle] = scope.split(':');
      const actions = middle.pop() ?? '';
      return account === '' ? [] : [{ type, name: middle.join(':'), actions: actions.split(',') }];
    });
    const now = Math.floor(Date.now() / 1000);
    const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [der] }));
    const claims = b64url(
      JSON.stringify({
        iss: 'berth-test-issuer',
        sub: account,
        aud: url.searchParams.get('service') ?? '',
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const signer = createSign('SHA256');
    signer.update(`${head}.${claims}`);
    const signature = signer.sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
    const token = `${head}.${claims}.${b64url(signature)}`;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const storage = options.storage ?? join(dir, 'storage');
  const port = await freePort();
  let issuer: Issuer | undefined;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (options.tls) {
    lines.push('  tls:', `    certificate: ${options.tls.cert}`, `    key: ${options.tls.key}`);
    if (options.tls.clientCa) lines.push('    clientcas:', `      - ${options.tls.clientCa}`);
  }
  try {
    if (options.htpasswd) {
      const file = join(dir, 'htpasswd');
      await writeFile(
        file,
        Object.entries(options.htpasswd)
          .map(([u, p]) => `${u}:${bcrypt(p)}\n`)
          .join(''),
      );
      lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${file}`);
    } else if (options.token) {
      const { cert, key } = selfSignedCert(dir, 'token', { cn: 'berth-test-token', ec: true });
      issuer = await startIssuer(options.token, cert, key);
      lines.push(
        'auth:',
        '  token:',
        `    realm: ${issuer.realm}`,
        '    service: berth-test',
        '    issuer: berth-test-issuer',
        `    rootcertbundle: ${cert}`,
      );
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, lines.join('\n') + '\n');
  const child = spawn('/usr/bin/docker-registry', ['serve', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const done = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const registry: TestRegistry = {
    host: `127.0.0.1:${port}`,
    dir,
    storage,
    process: child,
    log: () => output,
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await done;
        clearTimeout(timer);
      }
      await issuer?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      'the registry to listen',
      async () => {
        if (exited) throw new Error(`docker-registry exited during start-up:\n${output}`);
        return new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1');
          socket.on('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
      },
      15_000,
    );
  } catch (err) {
    await registry.stop();
    throw err;
  }
  return registry;
}
