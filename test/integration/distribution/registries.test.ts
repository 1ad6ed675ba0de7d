// Registry settings through the real Docker CLI against berth: --registry-mirror for docker.io
// names (a loopback registry as the mirror; Docker Hub is never contacted), TLS registries with
// a CA and client certificate from the certs dir, and search (v2 catalog fallback).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, copyFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiRequest, messageOf } from '../../helpers/api.js';
import { berth, docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { selfSignedCert, startRegistry, type TestRegistry } from '../../helpers/registry.js';

describe('distribution: mirrors, TLS and search', () => {
  let d: TestDaemon;
  let mirror: TestRegistry;
  let emptyMirror: TestRegistry;
  let tls: TestRegistry;
  let strangerTls: TestRegistry;
  let work: string;
  let certsDir: string;
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 60_000 });
  const ok = async (args: string[]): Promise<string> => {
    const r = await dk(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-dist-reg-'));
    certsDir = join(work, 'certs.d');
    const ca = selfSignedCert(work, 'ca', { cn: 'berth test CA' });
    const server = selfSignedCert(work, 'server', {
      cn: '127.0.0.1',
      caCert: ca.cert,
      caKey: ca.key,
    });
    const client = selfSignedCert(work, 'client', {
      cn: 'berth client',
      caCert: ca.cert,
      caKey: ca.key,
    });
    mirror = await startRegistry();
    emptyMirror = await startRegistry();
    tls = await startRegistry({ tls: { ...server, clientCa: ca.cert } });
    strangerTls = await startRegistry({ tls: { ...server, clientCa: ca.cert } });
    const hostDir = join(certsDir, tls.host);
    await mkdir(hostDir, { recursive: true });
    await copyFile(ca.cert, join(hostDir, 'ca.crt'));
    await copyFile(client.cert, join(hostDir, 'client.cert'));
    await copyFile(client.key, join(hostDir, 'client.key'));
    d = await startDaemon({
      args: [
        '--registry-mirror',
        `http://${emptyMirror.host}`,
        '--registry-mirror',
        `http://${mirror.host}`,
        '--registry-certs-dir',
        certsDir,
      ],
    });
    await ok(['load', '-i', busyboxArchive()]);
  });
  after(async () => {
    await d?.cleanup();
    await mirror?.stop();
    await emptyMirror?.stop();
    await tls?.stop();
    await strangerTls?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('pulls docker.io names from the first mirror that has them', async () => {
    await ok(['tag', 'busybox', `${mirror.host}/library/busybox:latest`]);
    await ok(['push', `${mirror.host}/library/busybox:latest`]);
    const id = (await ok(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).trim();
    await ok(['rmi', 'busybox', `${mirror.host}/library/busybox:latest`]);
    const pull = await ok(['pull', 'busybox']);
    assert.match(pull, /^latest: Pulling from library\/busybox$/m);
    assert.match(pull, /^Status: Downloaded newer image for busybox:latest$/m);
    assert.equal((await ok(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).trim(), id);
    assert.match(mirror.log(), /"GET \/v2\/library\/busybox\/manifests\/latest/);
    // The first mirror was asked and did not have it.
    assert.match(
      emptyMirror.log(),
      /"GET \/v2\/library\/busybox\/manifests\/latest HTTP\/1.1" 404/,
    );
    const info = await ok(['info', '--format', '{{json .RegistryConfig.Mirrors}}']);
    assert.deepEqual(JSON.parse(info), [`http://${emptyMirror.host}`, `http://${mirror.host}`]);
    // A name no mirror has: the error is the last mirror's, and Docker Hub is never asked.
    const missing = await dk(['pull', 'nosuchimage:1']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /manifest for nosuchimage:1 not found: manifest unknown/);
  });

  it('a mirror that is not a URL stops the daemon from starting', async () => {
    const r = await berth(['daemon', '--validate', '--registry-mirror', 'not-a-url']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid mirror: unsupported scheme "" in "not-a-url"/);
  });

  it('TLS registries: the client certificate comes from the certs dir (loopback hosts skip CA checks, as in Docker)', async () => {
    await ok(['tag', 'busybox', `${tls.host}/secure:1`]);
    const push = await ok(['push', `${tls.host}/secure:1`]);
    assert.match(push, /^1: digest: sha256:/m);
    await ok(['rmi', `${tls.host}/secure:1`]);
    await ok(['pull', `${tls.host}/secure:1`]);
    // Without a client certificate the registry refuses the handshake, and plain HTTP fails too.
    await ok(['tag', 'busybox', `${strangerTls.host}/secure:1`]);
    const refused = await dk(['push', `${strangerTls.host}/secure:1`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(strangerTls.host.replace(/\./g, '\\.')));
  });

  it('search: the v2 catalog filtered by term, with limit and filters', async () => {
    for (const name of ['alpha/app', 'alpha/tool', 'beta']) {
      await ok(['tag', 'busybox', `${mirror.host}/${name}:1`]);
      await ok(['push', `${mirror.host}/${name}:1`]);
    }
    const out = await ok(['search', '--format', '{{.Name}}', `${mirror.host}/alpha`]);
    assert.deepEqual(out.trim().split('\n'), [
      `${mirror.host}/alpha/app`,
      `${mirror.host}/alpha/tool`,
    ]);
    const table = await ok(['search', `${mirror.host}/beta`]);
    assert.match(table, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL/m);
    assert.match(table, new RegExp(`^${mirror.host}/beta\\s+0`, 'm'));
    const limited = await ok([
      'search',
      '--limit',
      '1',
      '--format',
      '{{.Name}}',
      `${mirror.host}/alpha`,
    ]);
    assert.equal(limited.trim().split('\n').length, 1);
    const starred = await ok(['search', '--filter', 'stars=1', `${mirror.host}/alpha`]);
    assert.doesNotMatch(starred, /alpha/);
    const badLimit = await apiRequest(
      d.socket,
      'GET',
      `/images/search?term=${mirror.host}/alpha&limit=0`,
    );
    assert.equal(badLimit.status, 400);
    assert.equal(messageOf(badLimit), 'limit 0 is outside the range of [1, 100]');
    const badFilter = await apiRequest(
      d.socket,
      'GET',
      `/images/search?term=${mirror.host}/alpha&filters=${encodeURIComponent('{"nope":{"1":true}}')}`,
    );
    assert.equal(badFilter.status, 400);
    assert.match(messageOf(badFilter), /nope/);
    // A registry with the v1 search API answers through it (a tiny stand-in on loopback).
    const seen: string[] = [];
    const v1 = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(req.url === '/v2/' || req.url?.startsWith('/v1/search') ? 200 : 404, {
        'Content-Type': 'application/json',
      });
      res.end(
        req.url?.startsWith('/v1/search')
          ? JSON.stringify({
              results: [
                { name: 'team/app', description: 'the app', star_count: 5, is_official: true },
                { name: 'team/app-old', description: 'x'.repeat(60), star_count: 1 },
              ],
            })
          : '{}',
      );
    });
    await new Promise<void>((resolve) => v1.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(v1.address() as AddressInfo).port}`;
      const found = await ok(['search', `${host}/app`]);
      assert.match(found, /^team\/app\s+the app\s+5\s+\[OK\]$/m);
      assert.match(found, /^team\/app-old\s+x{44}…\s+1/m);
      assert.ok(
        seen.some((u) => u.startsWith('/v1/search?q=app&n=25')),
        seen.join(' '),
      );
      const stars = await ok([
        'search',
        '--filter',
        'stars=3',
        '--format',
        '{{.Name}}',
        `${host}/app`,
      ]);
      assert.equal(stars.trim(), 'team/app');
      const notOfficial = await ok([
        'search',
        '--filter',
        'is-official=false',
        '--format',
        '{{.Name}}',
        `${host}/app`,
      ]);
      assert.equal(notOfficial.trim(), 'team/app-old');
    } finally {
      v1.closeAllConnections();
      await new Promise<void>((resolve) => v1.close(() => resolve()));
    }
    const unreachable = await dk(['search', '127.0.0.1:1/x']);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /Error response from daemon: /);
  });
});
