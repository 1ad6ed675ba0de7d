import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readBody, registryRequest } from './http-request.js';

let dir: string;
let server: https.Server;
let url: string;
let caPem: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-tls-unit-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  caPem = readFileSync(join(dir, 'c.pem'), 'utf8');
  server = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: caPem }, (_req, res) =>
    res.end('{}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`;
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a registry certificate is verified against the CA given (from the certs dir)', async () => {
  const { res } = await registryRequest(url, { tls: { ca: [caPem] } });
  assert.equal(res.statusCode, 200);
  assert.equal((await readBody(res)).toString(), '{}');
});

test('without that CA the handshake fails; insecure skips the check', async () => {
  await assert.rejects(registryRequest(url, { tls: {} }), /self-signed|self signed/);
  const { res } = await registryRequest(url, { tls: { insecure: true } });
  assert.equal(res.statusCode, 200);
  res.resume();
});
