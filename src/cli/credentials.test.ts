import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  credentialKey,
  registryAuthHeader,
  registryOf,
  removeCredentials,
  saveCredentials,
} from './credentials.js';

test('registry hosts of names and keys of server addresses', () => {
  assert.equal(registryOf('busybox'), 'docker.io');
  assert.equal(registryOf('me/app'), 'docker.io');
  assert.equal(registryOf('127.0.0.1:5000/app'), '127.0.0.1:5000');
  assert.equal(registryOf('localhost/app'), 'localhost');
  assert.equal(credentialKey(''), 'https://index.docker.io/v1/');
  assert.equal(credentialKey('docker.io'), 'https://index.docker.io/v1/');
  assert.equal(credentialKey('http://127.0.0.1:5000/'), '127.0.0.1:5000');
});

test('credentials are stored mode 0600, sent as base64url JSON, and removed', async () => {
  const dir = join(await mkdtemp(join(tmpdir(), 'berth-cred-')), 'cfg');
  try {
    await saveCredentials(dir, 'h:1', 'me', 'p:w');
    assert.equal((await stat(join(dir, 'config.json'))).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    assert.equal(Buffer.from(saved.auths['h:1']?.auth ?? '', 'base64').toString(), 'me:p:w');
    const header = JSON.parse(
      Buffer.from(await registryAuthHeader(dir, 'h:1'), 'base64url').toString(),
    ) as Record<string, string>;
    assert.deepEqual(header, { username: 'me', password: 'p:w', serveraddress: 'h:1' });
    assert.equal(await registryAuthHeader(dir, 'other'), 'e30');
    assert.equal(await removeCredentials(dir, 'h:1'), true);
    assert.equal(await removeCredentials(dir, 'h:1'), false);
  } finally {
    await rm(join(dir, '..'), { recursive: true, force: true });
  }
});
