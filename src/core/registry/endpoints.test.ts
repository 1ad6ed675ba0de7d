import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { endpointsFor, isInsecureRegistry, isLoopbackHost, normaliseMirror } from './endpoints.js';

test('loopback and localhost registries are insecure by default; others are not', () => {
  assert.ok(isInsecureRegistry('127.0.0.1:5000', []));
  assert.ok(isInsecureRegistry('127.3.4.5', []));
  assert.ok(isInsecureRegistry('localhost:5000', []));
  assert.ok(isInsecureRegistry('[::1]:5000', []));
  assert.equal(isInsecureRegistry('10.1.2.3:5000', []), false);
  assert.equal(isInsecureRegistry('registry.example:5000', []), false);
});

test('--insecure-registry takes host:port names and CIDRs', () => {
  assert.ok(isInsecureRegistry('registry.example:5000', ['registry.example:5000']));
  assert.ok(isInsecureRegistry('10.1.2.3:5000', ['10.0.0.0/8']));
  assert.equal(isInsecureRegistry('11.1.2.3:5000', ['10.0.0.0/8']), false);
  assert.equal(isInsecureRegistry('registry.example:5001', ['registry.example:5000']), false);
});

test('mirrors must be http(s) URLs', () => {
  assert.equal(normaliseMirror('http://127.0.0.1:5000/'), 'http://127.0.0.1:5000');
  assert.throws(() => normaliseMirror('127.0.0.1:5000'), /invalid mirror: unsupported scheme/);
  assert.throws(() => normaliseMirror('ftp://x'), /unsupported scheme "ftp" in "ftp:\/\/x"/);
  assert.throws(() => normaliseMirror('http://m/v2'), /path, query, or fragment/);
});

test('endpoints: mirrors first for docker.io pulls, TLS then HTTP for insecure hosts, CA from the certs dir', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-certs-'));
  try {
    await mkdir(join(dir, 'reg.example:443'));
    await writeFile(join(dir, 'reg.example:443', 'ca.crt'), 'CA PEM');
    await writeFile(join(dir, 'reg.example:443', 'client.cert'), 'CERT');
    await writeFile(join(dir, 'reg.example:443', 'client.key'), 'KEY');
    const settings = { mirrors: ['http://127.0.0.1:5999'], insecure: [], certsDir: dir };
    const hub = await endpointsFor('docker.io', settings);
    assert.deepEqual(
      hub.map((e) => [e.base, e.mirror]),
      [
        ['http://127.0.0.1:5999', true],
        ['https://registry-1.docker.io', false],
      ],
    );
    assert.equal((await endpointsFor('docker.io', settings, { push: true })).length, 1);
    const local = await endpointsFor('127.0.0.1:5000', settings);
    assert.deepEqual(
      local.map((e) => [e.base, e.tls.insecure === true]),
      [
        ['https://127.0.0.1:5000', true],
        ['http://127.0.0.1:5000', false],
      ],
    );
    const secure = await endpointsFor('reg.example:443', settings);
    assert.equal(secure.length, 1);
    assert.deepEqual(secure[0]?.tls, { ca: ['CA PEM'], cert: 'CERT', key: 'KEY' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loopback hosts', () => {
  assert.ok(isLoopbackHost('127.0.0.1:5000'));
  assert.ok(isLoopbackHost('localhost'));
  assert.ok(isLoopbackHost('[::1]:5000'));
  assert.equal(isLoopbackHost('registry-1.docker.io'), false);
  assert.equal(isLoopbackHost('10.0.0.1:5000'), false);
});
