import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRegistryAuth, hasCredentials } from './auth-config.js';

const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

test('decodes the CLI header: base64url JSON with username, password and server', () => {
  const c = decodeRegistryAuth(enc({ username: 'u', password: 'p?>~', serveraddress: 'h:1' }));
  assert.equal(c.username, 'u');
  assert.equal(c.password, 'p?>~');
  assert.equal(c.serverAddress, 'h:1');
  assert.ok(hasCredentials(c));
});

test('`e30=` and garbage are anonymous', () => {
  assert.equal(hasCredentials(decodeRegistryAuth('e30=')), false);
  assert.equal(hasCredentials(decodeRegistryAuth('!!!not-base64')), false);
  assert.equal(hasCredentials(decodeRegistryAuth(undefined)), false);
});

test('the auth field carries base64 user:pass', () => {
  const c = decodeRegistryAuth(enc({ auth: Buffer.from('me:a:b').toString('base64') }));
  assert.equal(c.username, 'me');
  assert.equal(c.password, 'a:b');
});
