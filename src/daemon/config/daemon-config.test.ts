import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../../lib/flags.js';
import { buildDaemonConfig, servesPlainTcp, type DaemonConfig } from './daemon-config.js';
import { ConfigError, mergeSettings, reloadableSettings } from './load-config.js';
import { DAEMON_FLAGS, DAEMON_OPTIONS } from './options.js';

let dir: string;
let counter = 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a daemon.json (an object is JSON-encoded, a string is written as is). */
function configFile(content: unknown): string {
  const path = join(dir, `daemon-${counter++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function load(argv: string[], file: unknown = {}): DaemonConfig {
  const flags = parseFlags(DAEMON_FLAGS, [...argv, '--config-file', configFile(file)]);
  return buildDaemonConfig(mergeSettings(flags));
}

function configError(pattern: RegExp | string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    if (typeof pattern === 'string') assert.ok(err.message.includes(pattern), err.message);
    else assert.match(err.message, pattern);
    return true;
  };
}

describe('daemon configuration', () => {
  it('has the documented defaults', () => {
    const c = load([]);
    assert.deepEqual(c.hosts, [{ kind: 'unix', path: '/run/berth.sock' }]);
    assert.equal(c.dataRoot, '/var/lib/berth');
    assert.equal(c.pidfile, '/run/berth.pid');
    assert.equal(c.execRoot, '/run/berth');
    assert.deepEqual(c.group, { name: 'docker', explicit: false });
    assert.equal(c.tls, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.mtu, 1500);
    assert.equal(c.storageDriver, 'overlay2');
    assert.equal(c.defaultRuntime, 'runc');
    assert.equal(c.iptables, true);
    assert.equal(c.icc, true);
    assert.equal(c.liveRestore, true);
    assert.equal(c.shutdownTimeoutSeconds, 15);
    assert.deepEqual(c.logOptions, {});
    assert.equal(servesPlainTcp(c), false);
  });

  it('takes values from the file and from flags', () => {
    const c = load(['--data-root', '/srv/berth', '-G', 'wheel'], {
      pidfile: '/tmp/p.pid',
      mtu: 9000,
      dns: ['1.1.1.1'],
      labels: ['a=b'],
    });
    assert.equal(c.dataRoot, '/srv/berth');
    assert.deepEqual(c.group, { name: 'wheel', explicit: true });
    assert.equal(c.pidfile, '/tmp/p.pid');
    assert.equal(c.mtu, 9000);
    assert.deepEqual(c.dns, ['1.1.1.1']);
    assert.deepEqual(c.labels, ['a=b']);
  });

  it('marks a group named in the file as explicit', () => {
    assert.deepEqual(load([], { group: 'staff' }).group, { name: 'staff', explicit: true });
  });

  it('refuses a key given both as a flag and in the file, naming it', () => {
    assert.throws(
      () => load(['--pidfile', '/a.pid'], { pidfile: '/b.pid' }),
      configError(
        'the following directives are specified both as a flag and in the configuration file: pidfile: (from flag: /a.pid, from file: /b.pid)',
      ),
    );
  });

  it('names a conflicting key whose json name differs from the flag', () => {
    assert.throws(
      () => load(['-H', 'unix:///a.sock'], { hosts: ['unix:///b.sock'] }),
      configError(
        /hosts: \(from flag: \[unix:\/\/\/a\.sock\], from file: \[unix:\/\/\/b\.sock\]\)/,
      ),
    );
  });

  it('refuses unknown keys in the file, naming them sorted', () => {
    assert.throws(
      () => load([], { zeta: 1, 'no-such-option': true, host: [] }),
      configError(
        "the following directives don't match any configuration option: host, no-such-option, zeta",
      ),
    );
  });

  it('names the key of a value with the wrong type', () => {
    assert.throws(
      () => load([], { mtu: '1500' }),
      configError('invalid value for "mtu": expected an integer, got "1500"'),
    );
    assert.throws(() => load([], { mtu: 1.5 }), configError('"mtu": expected an integer'));
    assert.throws(() => load([], { debug: 'yes' }), configError('"debug": expected a boolean'));
    assert.throws(
      () => load([], { dns: '8.8.8.8' }),
      configError('"dns": expected an array of strings'),
    );
    assert.throws(
      () => load([], { 'log-opts': { 'max-size': 10 } }),
      configError('"log-opts": expected an object of strings'),
    );
    assert.throws(
      () => load([], { 'data-root': 5 }),
      configError('"data-root": expected a string'),
    );
  });

  it('says which file is wrong', () => {
    const path = configFile({ bogus: 1 });
    const flags = parseFlags(DAEMON_FLAGS, ['--config-file', path]);
    assert.throws(
      () => mergeSettings(flags),
      configError(`unable to configure the berth daemon with file ${path}: `),
    );
  });

  it('refuses a file that is not a JSON object', () => {
    assert.throws(() => load([], '{not json'), configError('is not valid JSON'));
    assert.throws(() => load([], '[1, 2]'), configError('must hold a JSON object'));
  });

  it('treats an empty file as no settings', () => {
    assert.equal(load([], '  \n').pidfile, '/run/berth.pid');
  });

  it('accepts a missing config file when it is the default one', () => {
    const missing = join(dir, 'absent.json');
    const parsed = parseFlags(DAEMON_FLAGS, ['--config-file', missing]);
    // As if the path were the default: not given by the user.
    const settings = mergeSettings({ ...parsed, given: new Set() });
    assert.equal(settings.configFile, missing);
    assert.equal(buildDaemonConfig(settings).dataRoot, '/var/lib/berth');
  });

  it('refuses a missing config file that was given explicitly', () => {
    const missing = join(dir, 'absent.json');
    const flags = parseFlags(DAEMON_FLAGS, ['--config-file', missing]);
    assert.throws(() => mergeSettings(flags), configError(`open ${missing}`));
  });

  it('refuses --bridge with --bip', () => {
    assert.throws(
      () => load(['-b', 'br0'], { bip: '10.0.0.1/24' }),
      configError('You specified -b & --bip, mutually exclusive options'),
    );
  });

  it('refuses icc=false with iptables=false', () => {
    assert.throws(
      () => load(['--icc=false'], { iptables: false }),
      configError('You specified --iptables=false with --icc=false'),
    );
    assert.equal(load(['--icc=false']).icc, false);
  });

  it('validates bip, fixed-cidr, ip, mtu, dns and labels', () => {
    assert.throws(() => load(['--bip', '10.0.0.1']), configError('invalid --bip "10.0.0.1"'));
    assert.equal(load(['--bip', '10.0.0.1/24']).bip, '10.0.0.1/24');
    assert.throws(() => load(['--fixed-cidr', '10.0.0.0/33']), configError('invalid --fixed-cidr'));
    assert.throws(() => load(['--ip', 'nope']), configError('invalid --ip "nope"'));
    assert.throws(() => load(['--mtu', '67']), configError('invalid MTU 67'));
    assert.throws(() => load(['--dns', 'x']), configError('x is not an ip address'));
    assert.throws(() => load(['--label', 'novalue']), configError('bad attribute format: novalue'));
  });

  it('refuses unknown storage drivers, runtimes and log levels', () => {
    assert.throws(() => load(['-s', 'zfs']), configError('unknown storage driver "zfs"'));
    assert.throws(
      () => load([], { 'default-runtime': 'kata' }),
      configError('unknown runtime "kata"'),
    );
    assert.throws(
      () => load(['--log-level', 'loud']),
      configError('unable to parse logging level: loud'),
    );
  });

  it('refuses tcp without TLS', () => {
    assert.throws(
      () => load(['-H', 'tcp://0.0.0.0:2375']),
      configError('refusing to listen on tcp://0.0.0.0:2375 without TLS'),
    );
  });

  it('allows plain tcp when --tls=false is given explicitly', () => {
    const c = load(['-H', 'tcp://127.0.0.1:2375', '--tls=false']);
    assert.deepEqual(c.hosts, [{ kind: 'tcp', host: '127.0.0.1', port: 2375 }]);
    assert.equal(c.tls, undefined);
    assert.equal(servesPlainTcp(c), true);
  });

  it('also allows plain tcp with "tls": false in the file', () => {
    const c = load([], { hosts: ['tcp://127.0.0.1'], tls: false });
    assert.deepEqual(c.hosts, [{ kind: 'tcp', host: '127.0.0.1', port: 2375 }]);
  });

  it('--tlsverify turns TLS on with verification and the TLS port', () => {
    const c = load(['--tlsverify', '-H', 'tcp://0.0.0.0', '--tlscert', '/c.pem'], {
      tlskey: '/k.pem',
    });
    assert.equal(c.tls?.verify, true);
    assert.equal(c.tls?.cert, '/c.pem');
    assert.equal(c.tls?.key, '/k.pem');
    assert.deepEqual(c.hosts, [{ kind: 'tcp', host: '0.0.0.0', port: 2376 }]);
  });

  it('--tls alone turns TLS on without verification', () => {
    const c = load(['--tls', '-H', 'tcp://0.0.0.0:1234']);
    assert.equal(c.tls?.verify, false);
  });

  it('reports a bad host address as a ConfigError', () => {
    assert.throws(
      () => load(['-H', 'udp://x']),
      configError('Invalid bind address format: udp://x'),
    );
  });

  it('reads log-opts as a map from the file', () => {
    const c = load([], { 'log-opts': { 'max-size': '10m', 'max-file': '3' } });
    assert.deepEqual(c.logOptions, { 'max-size': '10m', 'max-file': '3' });
  });

  it('refuses a log driver or log option containers could not use', () => {
    assert.throws(
      () => load(['--log-opt', 'max-size=lots']),
      configError("invalid log configuration: invalid size: 'lots'"),
    );
    assert.throws(
      () => load(['--log-driver', 'carrier-pigeon']),
      configError(
        "invalid log configuration: logger: no log driver named 'carrier-pigeon' is registered",
      ),
    );
  });

  it('reads --log-opt k=v flags as a map', () => {
    const c = load(['--log-opt', 'max-size=10m', '--log-opt', 'labels=a=b']);
    assert.deepEqual(c.logOptions, { 'max-size': '10m', labels: 'a=b' });
  });

  it('refuses a --log-opt without =', () => {
    assert.throws(
      () => load(['--log-opt', 'max-size']),
      configError('invalid value "max-size" for --log-opt'),
    );
  });

  it('--debug gives the debug log level, over --log-level', () => {
    assert.equal(load(['--debug']).logLevel, 'debug');
    assert.equal(load(['-D', '--log-level', 'error']).logLevel, 'debug');
    assert.equal(load([], { debug: true }).logLevel, 'debug');
    assert.equal(load(['-l', 'warn']).logLevel, 'warn');
  });
});

describe('reloadableSettings', () => {
  it('returns only the reloadable keys, by flag name', () => {
    const path = configFile({
      debug: true,
      labels: ['a=b'],
      'max-concurrent-downloads': 7,
      pidfile: '/x.pid',
      mtu: 9000,
      'data-root': '/elsewhere',
    });
    const out = reloadableSettings(path);
    assert.deepEqual(
      new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1))),
      new Map<string, unknown>([
        ['debug', true],
        ['label', ['a=b']],
        ['max-concurrent-downloads', 7],
      ]),
    );
    const reloadable = new Set(DAEMON_OPTIONS.filter((o) => o.reloadable).map((o) => o.flag.name));
    for (const key of out.keys()) assert.ok(reloadable.has(key), key);
  });

  it('returns nothing for a missing file', () => {
    assert.equal(reloadableSettings(join(dir, 'gone.json')).size, 0);
  });

  it('still refuses unknown keys and wrong types', () => {
    assert.throws(() => reloadableSettings(configFile({ nope: 1 })), configError('nope'));
    assert.throws(
      () => reloadableSettings(configFile({ 'shutdown-timeout': 'soon' })),
      configError('"shutdown-timeout": expected an integer'),
    );
  });
});
