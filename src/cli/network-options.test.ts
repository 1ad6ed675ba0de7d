import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags } from '../lib/flags.js';
import { NETWORK_FLAGS, networkBody } from './network-options.js';

const body = (args: string[], network = 'default'): ReturnType<typeof networkBody> =>
  networkBody(parseFlags(NETWORK_FLAGS, args), network);

describe('networkBody', () => {
  it('leaves the defaults as the Docker CLI sends them', () => {
    assert.deepEqual(body([]), {
      host: {
        Dns: [],
        DnsOptions: [],
        DnsSearch: [],
        ExtraHosts: null,
        Links: null,
        PublishAllPorts: false,
      },
    });
  });

  it('fills HostConfig from -P, --link, --add-host and --dns*', () => {
    const b = body([
      '-P',
      '--link',
      'db:d',
      '--add-host',
      'h:10.0.0.1',
      '--add-host',
      'gw:host-gateway',
      '--dns',
      '1.1.1.1',
      '--dns-search',
      'x.example',
      '--dns-option',
      'ndots:2',
    ]);
    assert.deepEqual(b.host, {
      Dns: ['1.1.1.1'],
      DnsOptions: ['ndots:2'],
      DnsSearch: ['x.example'],
      ExtraHosts: ['h:10.0.0.1', 'gw:host-gateway'],
      Links: ['db:d'],
      PublishAllPorts: true,
    });
  });

  it('adds the endpoint of the network for --ip, --network-alias and --link', () => {
    const b = body(['--ip', '10.5.0.9', '--network-alias', 'a', '--link', 'db'], 'mynet');
    const e = b.endpoints?.['mynet'] as Record<string, unknown>;
    assert.deepEqual(e['IPAMConfig'], { IPv4Address: '10.5.0.9' });
    assert.deepEqual(e['Aliases'], ['a']);
    assert.deepEqual(e['Links'], ['db']);
    assert.equal(e['DNSNames'], null);
  });

  it('refuses what the Docker CLI refuses, with its words', () => {
    assert.throws(() => body(['--dns', 'x']), { message: /x is not an ip address/ });
    assert.throws(() => body(['--add-host', 'nohost']), {
      message: /invalid argument "nohost" for "--add-host"/,
    });
    assert.throws(() => body(['--add-host', 'h:notanip']), {
      message: /invalid IP address in add-host: "notanip"/,
    });
    assert.throws(() => body(['--ip', '::1']), { message: /invalid IPv4 address/ });
  });
});
