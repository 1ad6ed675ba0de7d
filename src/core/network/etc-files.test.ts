import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extraHostLine, linkEnv, linkHostsLine, resolvConf } from './etc-files.js';

const TARGET = {
  alias: 'my-db',
  name: 'db',
  id: '0123456789ab' + 'c'.repeat(52),
  ip: '172.17.0.2',
  exposed: ['5432/tcp', '80/tcp', '53/udp'],
  env: ['PATH=/bin', 'SECRET=x=y', 'HOME=/root', 'HOSTNAME=h'],
};

describe('links', () => {
  it("gives Docker's variables: default port, each port, name, env but PATH and HOME", () => {
    assert.deepEqual(linkEnv('web', TARGET), [
      'MY_DB_PORT=udp://172.17.0.2:53',
      'MY_DB_PORT_53_UDP=udp://172.17.0.2:53',
      'MY_DB_PORT_53_UDP_ADDR=172.17.0.2',
      'MY_DB_PORT_53_UDP_PORT=53',
      'MY_DB_PORT_53_UDP_PROTO=udp',
      'MY_DB_PORT_80_TCP=tcp://172.17.0.2:80',
      'MY_DB_PORT_80_TCP_ADDR=172.17.0.2',
      'MY_DB_PORT_80_TCP_PORT=80',
      'MY_DB_PORT_80_TCP_PROTO=tcp',
      'MY_DB_PORT_5432_TCP=tcp://172.17.0.2:5432',
      'MY_DB_PORT_5432_TCP_ADDR=172.17.0.2',
      'MY_DB_PORT_5432_TCP_PORT=5432',
      'MY_DB_PORT_5432_TCP_PROTO=tcp',
      'MY_DB_NAME=/web/my-db',
      'MY_DB_ENV_SECRET=x=y',
      'MY_DB_ENV_HOSTNAME=h',
    ]);
  });

  it('writes the hosts line: alias, short ID, name', () => {
    assert.equal(linkHostsLine(TARGET), '172.17.0.2\tmy-db 0123456789ab db');
    assert.equal(linkHostsLine({ ...TARGET, alias: 'db' }), '172.17.0.2\tdb 0123456789ab');
  });
});

describe('extra hosts', () => {
  it('reads name:ip, name=ip, IPv6 and host-gateway', () => {
    assert.equal(extraHostLine('h1:10.0.0.1', '172.17.0.1'), '10.0.0.1\th1');
    assert.equal(extraHostLine('h1=10.0.0.1', '172.17.0.1'), '10.0.0.1\th1');
    assert.equal(extraHostLine('h6:[::1]', '172.17.0.1'), '::1\th6');
    assert.equal(extraHostLine('gw:host-gateway', '172.17.0.1'), '172.17.0.1\tgw');
    assert.equal(extraHostLine('nothing', '172.17.0.1'), undefined);
    assert.equal(extraHostLine('gw:host-gateway', ''), undefined, 'no gateway to name');
  });
});

describe('resolvConf', () => {
  const HOST = 'nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.org\noptions edns0\n';

  it("keeps the host's reachable servers, search and options", () => {
    assert.equal(resolvConf(HOST, {}), 'nameserver 10.0.0.2\nsearch example.org\noptions edns0\n');
  });

  it('falls back to public servers when the host has only loopback ones', () => {
    assert.equal(
      resolvConf('nameserver 127.0.0.53\n', {}),
      'nameserver 8.8.8.8\nnameserver 8.8.4.4\n',
    );
  });

  it('takes --dns, --dns-search and --dns-opt over the host', () => {
    assert.equal(
      resolvConf(HOST, { nameservers: ['1.2.3.4'], search: ['a.b'], options: ['ndots:2'] }),
      'nameserver 1.2.3.4\nsearch a.b\noptions ndots:2\n',
    );
  });

  it('points at the embedded resolver on user networks', () => {
    assert.equal(
      resolvConf(HOST, {}, '172.18.0.1'),
      'nameserver 172.18.0.1\nsearch example.org\noptions ndots:0 edns0\n\n# ExtServers: [127.0.0.53 10.0.0.2]\n',
    );
  });
});
