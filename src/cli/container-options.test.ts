import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FlagError, parseFlags } from '../lib/flags.js';
import {
  CONTAINER_FLAGS,
  RUN_ONLY_FLAGS,
  containerOptions,
  effectiveCapabilities,
  parseEnvFile,
  parseNanoCpus,
  parsePortSpec,
  parseRestartPolicy,
  parseUlimit,
  type OptionsEnvironment,
} from './container-options.js';
import { RunError } from './errors.js';

/** The repository root (tests run compiled, from dist/). */
const REPO = process.env['BERTH_REPO'] ?? new URL('../../../', import.meta.url).pathname;

/** Create bodies the Docker CLI 28.2.2 sent for these flags (recorded through a proxy). */
interface RecordedBody {
  command: 'run' | 'create';
  args: string[];
  consoleSize: [number, number];
  body: string;
}
const RECORDED = JSON.parse(
  readFileSync(join(REPO, 'src/cli/testdata/docker-create-bodies.json'), 'utf8'),
) as RecordedBody[];

const SPECS = [...RUN_ONLY_FLAGS, ...CONTAINER_FLAGS];

function options(
  args: string[],
  environment: Partial<OptionsEnvironment> = {},
): ReturnType<typeof containerOptions> {
  const flags = parseFlags(SPECS, args, { interspersed: false });
  return containerOptions(flags, {
    detach: flags.values.get('detach') === true,
    consoleSize: [0, 0],
    env: {},
    readFile: () => {
      throw Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    },
    ...environment,
  });
}

describe('containerOptions', () => {
  for (const recorded of RECORDED) {
    it(`sends what the Docker CLI sends for ${recorded.command} ${recorded.args.join(' ')}`, () => {
      const made = options(recorded.args, { consoleSize: recorded.consoleSize });
      // Key for key and in the same order: the daemon keeps HostConfig as sent.
      assert.equal(JSON.stringify(made.body), recorded.body);
    });
  }

  it('reports the stream options the client needs', () => {
    const it = options(['-it', '--rm', '--detach-keys', 'ctrl-x,x', '--name', 'n', 'busybox']);
    assert.equal(it.image, 'busybox');
    assert.equal(it.name, 'n');
    assert.equal(it.interactive, true);
    assert.equal(it.tty, true);
    assert.equal(it.autoRemove, true);
    assert.equal(it.detachKeys, 'ctrl-x,x');
    assert.equal(options(['busybox']).name, undefined);
  });

  it('takes -e NAME from the client environment, and env files before -e', () => {
    const made = options(['-e', 'HOME', '-e', 'UNSET', '--env-file', 'f', 'busybox'], {
      env: { HOME: '/root', FROMFILE: 'x' },
      readFile: () => '# comment\n\nA=1\n  B=two words\nFROMFILE\nNOTSET\n',
    });
    assert.deepEqual(made.body['Env'], ['A=1', 'B=two words', 'FROMFILE=x', 'HOME=/root', 'UNSET']);
  });

  it('sends --device and --oom-score-adj as the Docker CLI does', () => {
    const made = options([
      '--device',
      '/dev/null:/dev/mynull',
      '--device',
      '/dev/zero:r',
      '--device',
      '/dev/fuse:/dev/f:rw',
      '--oom-score-adj',
      '300',
      'busybox',
    ]);
    const host = made.body['HostConfig'] as Record<string, unknown>;
    assert.deepEqual(host['Devices'], [
      { PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rwm' },
      { PathOnHost: '/dev/zero', PathInContainer: '/dev/zero', CgroupPermissions: 'r' },
      { PathOnHost: '/dev/fuse', PathInContainer: '/dev/f', CgroupPermissions: 'rw' },
    ]);
    assert.equal(host['OomScoreAdj'], 300);
    for (const bad of ['a:b:c:d', '/dev/null:/x:rwz', '/dev/null:rel', ':/x'])
      assert.throws(() => options(['--device', bad, 'busybox']), FlagError);
  });

  it('refuses bad values with the Docker CLI messages', () => {
    const flagError = (args: string[], message: string): void =>
      assert.throws(() => options([...args, 'busybox']), new FlagError(message));
    const runError = (args: string[], message: string): void =>
      assert.throws(() => options([...args, 'busybox']), new RunError(message));
    flagError(['-m', 'x'], `invalid argument "x" for "-m, --memory" flag: invalid size: 'x'`);
    flagError(
      ['--memory-swap', 'y'],
      `invalid argument "y" for "--memory-swap" flag: invalid size: 'y'`,
    );
    flagError(
      ['--cpus', 'abc'],
      'invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number',
    );
    flagError(
      ['--cpus', '0.0000000001'],
      'invalid argument "0.0000000001" for "--cpus" flag: value is too precise',
    );
    flagError(
      ['--ulimit', 'foo'],
      'invalid argument "foo" for "--ulimit" flag: invalid ulimit argument: foo',
    );
    flagError(
      ['--ulimit', 'nofile=a'],
      'invalid argument "nofile=a" for "--ulimit" flag: strconv.ParseInt: parsing "a": invalid syntax',
    );
    flagError(
      ['--ulimit', 'bogus=1'],
      'invalid argument "bogus=1" for "--ulimit" flag: invalid ulimit type: bogus',
    );
    flagError(
      ['--sysctl', 'foo'],
      `invalid argument "foo" for "--sysctl" flag: sysctl 'foo' is not allowed`,
    );
    flagError(
      ['-e', '=x'],
      'invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x',
    );
    runError(['--restart', ':3'], 'invalid restart policy format: no policy provided before colon');
    runError(
      ['--restart', 'on-failure:x'],
      'invalid restart policy format: maximum retry count must be an integer',
    );
    runError(
      ['--restart', 'always', '--rm'],
      'conflicting options: cannot specify both --restart and --rm',
    );
    runError(['-p', 'abc'], 'invalid containerPort: abc');
    runError(['-p', '1:2:3:4'], 'invalid IP address: 1:2');
    runError(['-p', '70000:80'], 'invalid hostPort: 70000');
    runError(['-p', '80/xyz'], 'invalid proto: xyz');
    runError(['--security-opt', 'bogus'], 'Invalid --security-opt: "bogus"');
    runError(['--env-file', '/nonexistent'], 'open /nonexistent: no such file or directory');
    runError(['--expose', '1:2'], 'invalid port format for --expose: 1:2');
  });
});

describe('the value parsers', () => {
  it('parseNanoCpus is exact', () => {
    assert.equal(parseNanoCpus('1.5'), 1_500_000_000);
    assert.equal(parseNanoCpus('0.000000001'), 1);
    assert.equal(parseNanoCpus('2'), 2_000_000_000);
    assert.equal(parseNanoCpus('.25'), 250_000_000);
    assert.equal(parseNanoCpus('0.1000000000'), 100_000_000);
  });

  it('parseUlimit defaults hard to soft and checks their order', () => {
    assert.deepEqual(parseUlimit('nofile=100'), { Name: 'nofile', Hard: 100, Soft: 100 });
    assert.deepEqual(parseUlimit('nproc=1:-1'), { Name: 'nproc', Hard: -1, Soft: 1 });
    assert.throws(() => parseUlimit('nofile=3:2'), /soft limit must be less than or equal/);
    assert.throws(() => parseUlimit('nofile=1:2:3'), /too many limit value arguments/);
  });

  it('parseRestartPolicy splits name and count', () => {
    assert.deepEqual(parseRestartPolicy('on-failure:3'), {
      Name: 'on-failure',
      MaximumRetryCount: 3,
    });
    assert.deepEqual(parseRestartPolicy('always'), { Name: 'always', MaximumRetryCount: 0 });
    assert.deepEqual(parseRestartPolicy(''), { Name: '', MaximumRetryCount: 0 });
  });

  it('parsePortSpec handles addresses, ranges and protocols as nat.ParsePortSpec', () => {
    assert.deepEqual(parsePortSpec('80'), [
      { port: '80/tcp', binding: { HostIp: '', HostPort: '' } },
    ]);
    assert.deepEqual(parsePortSpec('[::1]:53:53/UDP'), [
      { port: '53/udp', binding: { HostIp: '::1', HostPort: '53' } },
    ]);
    assert.deepEqual(parsePortSpec('8000-8010:80'), [
      { port: '80/tcp', binding: { HostIp: '', HostPort: '8000-8010' } },
    ]);
    assert.deepEqual(
      parsePortSpec('127.0.0.1::90-91').map((m) => m.port),
      ['90/tcp', '91/tcp'],
    );
    assert.throws(() => parsePortSpec('1-2:3-5'), /invalid ranges specified/);
  });

  it('effectiveCapabilities normalises, sorts and lets an add win over a drop', () => {
    assert.deepEqual(effectiveCapabilities(['net_admin', 'CAP_CHOWN'], ['chown', 'mknod']), {
      capAdd: ['CAP_CHOWN', 'CAP_NET_ADMIN'],
      capDrop: ['CAP_MKNOD'],
    });
    assert.deepEqual(effectiveCapabilities(['all', 'chown'], []), {
      capAdd: ['ALL'],
      capDrop: null,
    });
    assert.deepEqual(effectiveCapabilities([], []), { capAdd: null, capDrop: null });
  });

  it('parseEnvFile refuses names with spaces', () => {
    assert.throws(() => parseEnvFile('A B=1\n', {}), /variable 'A B' contains whitespaces/);
    assert.deepEqual(parseEnvFile('\uFEFFX=1\r\n', {}), ['X=1']);
  });
});
