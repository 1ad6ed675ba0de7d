import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_UNIX_SOCKET,
  HostAddressError,
  formatHostAddress,
  parseHostAddress,
  type HostAddress,
} from './host-address.js';

describe('parseHostAddress', () => {
  it('parses unix:// paths', () => {
    assert.deepEqual(parseHostAddress('unix:///var/run/x.sock'), {
      kind: 'unix',
      path: '/var/run/x.sock',
    });
  });

  it('uses the default socket for an empty value and a bare unix://', () => {
    assert.equal(DEFAULT_UNIX_SOCKET, '/run/berth.sock');
    assert.deepEqual(parseHostAddress(''), { kind: 'unix', path: '/run/berth.sock' });
    assert.deepEqual(parseHostAddress('   '), { kind: 'unix', path: '/run/berth.sock' });
    assert.deepEqual(parseHostAddress('unix://'), { kind: 'unix', path: '/run/berth.sock' });
    assert.deepEqual(parseHostAddress('', { unixSocket: '/tmp/a.sock' }), {
      kind: 'unix',
      path: '/tmp/a.sock',
    });
  });

  it('takes an absolute path without a scheme as a unix socket', () => {
    assert.deepEqual(parseHostAddress('/tmp/b.sock'), { kind: 'unix', path: '/tmp/b.sock' });
  });

  it('defaults the tcp port to 2375, or 2376 with TLS', () => {
    assert.deepEqual(parseHostAddress('tcp://1.2.3.4'), {
      kind: 'tcp',
      host: '1.2.3.4',
      port: 2375,
    });
    assert.deepEqual(parseHostAddress('tcp://1.2.3.4', { tls: true }), {
      kind: 'tcp',
      host: '1.2.3.4',
      port: 2376,
    });
    assert.deepEqual(parseHostAddress('https://example.com'), {
      kind: 'tcp',
      host: 'example.com',
      port: 2376,
    });
  });

  it('keeps an explicit port and accepts a trailing slash', () => {
    assert.deepEqual(parseHostAddress('tcp://1.2.3.4:1234/'), {
      kind: 'tcp',
      host: '1.2.3.4',
      port: 1234,
    });
    assert.deepEqual(parseHostAddress('TCP://h:1', { tls: true }), {
      kind: 'tcp',
      host: 'h',
      port: 1,
    });
  });

  it('binds all interfaces when the host is empty', () => {
    assert.deepEqual(parseHostAddress('tcp://:2375'), {
      kind: 'tcp',
      host: '0.0.0.0',
      port: 2375,
    });
    assert.deepEqual(parseHostAddress('tcp://'), { kind: 'tcp', host: '0.0.0.0', port: 2375 });
  });

  it('parses bracketed IPv6 hosts', () => {
    assert.deepEqual(parseHostAddress('tcp://[::1]:5'), { kind: 'tcp', host: '::1', port: 5 });
    assert.deepEqual(parseHostAddress('tcp://[fe80::1]'), {
      kind: 'tcp',
      host: 'fe80::1',
      port: 2375,
    });
  });

  it('parses fd:// with and without a number', () => {
    assert.deepEqual(parseHostAddress('fd://'), { kind: 'fd' });
    assert.deepEqual(parseHostAddress('fd://3'), { kind: 'fd', fd: 3 });
  });

  it('rejects bad schemes, ports and forms', () => {
    for (const bad of [
      'udp://1.2.3.4:5',
      'npipe:////./pipe/docker',
      'localhost:2375',
      'tcp://1.2.3.4:abc',
      'tcp://1.2.3.4:65536',
      'tcp://1.2.3.4:80/path',
      'fd://x',
    ]) {
      assert.throws(
        () => parseHostAddress(bad),
        (err: unknown) =>
          err instanceof HostAddressError && err.message === `Invalid bind address format: ${bad}`,
        bad,
      );
    }
  });

  it('accepts the highest port', () => {
    assert.equal((parseHostAddress('tcp://h:65535') as { port: number }).port, 65535);
  });
});

describe('formatHostAddress', () => {
  it('formats each kind', () => {
    assert.equal(formatHostAddress({ kind: 'unix', path: '/run/x.sock' }), 'unix:///run/x.sock');
    assert.equal(formatHostAddress({ kind: 'fd' }), 'fd://');
    assert.equal(formatHostAddress({ kind: 'fd', fd: 3 }), 'fd://3');
    assert.equal(formatHostAddress({ kind: 'tcp', host: '::1', port: 5 }), 'tcp://[::1]:5');
    assert.equal(
      formatHostAddress({ kind: 'tcp', host: '0.0.0.0', port: 2375 }),
      'tcp://0.0.0.0:2375',
    );
  });

  it('round-trips through parseHostAddress', () => {
    const addresses: HostAddress[] = [
      { kind: 'unix', path: '/run/berth.sock' },
      { kind: 'fd' },
      { kind: 'fd', fd: 7 },
      { kind: 'tcp', host: '10.0.0.1', port: 2376 },
      { kind: 'tcp', host: 'fe80::1', port: 80 },
    ];
    for (const a of addresses) assert.deepEqual(parseHostAddress(formatHostAddress(a)), a);
  });
});
