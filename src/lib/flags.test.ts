import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FlagError,
  flagBool,
  flagInt,
  flagList,
  flagString,
  formatFlagHelp,
  parseBool,
  parseFlags,
  type FlagSpec,
} from './flags.js';

const SPECS: readonly FlagSpec[] = [
  { name: 'interactive', short: 'i', type: 'bool', help: 'Keep STDIN open' },
  { name: 'tty', short: 't', type: 'bool', help: 'Allocate a TTY' },
  { name: 'name', short: 'n', type: 'string', help: 'Name' },
  { name: 'env', short: 'e', type: 'list', help: 'Environment' },
  { name: 'mtu', type: 'int', default: 1500, help: 'MTU' },
  { name: 'iptables', type: 'bool', default: true, help: 'Enable iptables' },
  { name: 'dns', type: 'list', default: ['8.8.8.8'], help: 'DNS' },
  { name: 'secret', type: 'string', hidden: true, help: 'Hidden flag' },
];

describe('parseFlags', () => {
  it('fills defaults for flags not given', () => {
    const f = parseFlags(SPECS, []);
    assert.equal(flagBool(f, 'interactive'), false);
    assert.equal(flagString(f, 'name'), '');
    assert.deepEqual(flagList(f, 'env'), []);
    assert.equal(flagInt(f, 'mtu'), 1500);
    assert.equal(flagBool(f, 'iptables'), true);
    assert.deepEqual(flagList(f, 'dns'), ['8.8.8.8']);
    assert.equal(f.given.size, 0);
    assert.deepEqual(f.args, []);
  });

  it('parses long flags with a separate value and with =value', () => {
    const f = parseFlags(SPECS, ['--name', 'web', '--mtu=9000']);
    assert.equal(flagString(f, 'name'), 'web');
    assert.equal(flagInt(f, 'mtu'), 9000);
    assert.deepEqual([...f.given].sort(), ['mtu', 'name']);
  });

  it('parses short flags with a separate value and attached value', () => {
    assert.equal(flagString(parseFlags(SPECS, ['-n', 'web']), 'name'), 'web');
    assert.equal(flagString(parseFlags(SPECS, ['-nweb']), 'name'), 'web');
    assert.equal(flagString(parseFlags(SPECS, ['-n=web']), 'name'), 'web');
  });

  it('parses combined short booleans', () => {
    const f = parseFlags(SPECS, ['-it']);
    assert.equal(flagBool(f, 'interactive'), true);
    assert.equal(flagBool(f, 'tty'), true);
    assert.deepEqual([...f.given].sort(), ['interactive', 'tty']);
  });

  it('lets a value flag end a combined short group', () => {
    const f = parseFlags(SPECS, ['-itnweb']);
    assert.equal(flagBool(f, 'interactive'), true);
    assert.equal(flagBool(f, 'tty'), true);
    assert.equal(flagString(f, 'name'), 'web');
  });

  it('takes the next word as the value of a trailing short value flag', () => {
    const f = parseFlags(SPECS, ['-in', 'web', 'pos']);
    assert.equal(flagString(f, 'name'), 'web');
    assert.deepEqual(f.args, ['pos']);
  });

  it('accepts --bool=false and -b=false', () => {
    const f = parseFlags(SPECS, ['--iptables=false', '-t=false']);
    assert.equal(flagBool(f, 'iptables'), false);
    assert.equal(flagBool(f, 'tty'), false);
    assert.ok(f.given.has('iptables'));
    assert.ok(f.given.has('tty'));
  });

  it('does not take the next word as the value of a bool flag', () => {
    const f = parseFlags(SPECS, ['--iptables', 'false']);
    assert.equal(flagBool(f, 'iptables'), true);
    assert.deepEqual(f.args, ['false']);
  });

  it('rejects a bool value that is not a Go bool', () => {
    assert.throws(() => parseFlags(SPECS, ['--tty=yes']), {
      name: 'FlagError',
      message:
        'invalid argument "yes" for "--tty" flag: strconv.ParseBool: parsing "yes": invalid syntax',
    });
  });

  it('accumulates repeated list flags, replacing the default', () => {
    const f = parseFlags(SPECS, ['-e', 'A=1', '--env=B=2', '--dns', '1.1.1.1', '--dns=9.9.9.9']);
    assert.deepEqual(flagList(f, 'env'), ['A=1', 'B=2']);
    assert.deepEqual(flagList(f, 'dns'), ['1.1.1.1', '9.9.9.9']);
  });

  it('does not share the default list between parses', () => {
    const a = parseFlags(SPECS, []);
    flagList(a, 'dns').push('mutated');
    assert.deepEqual(flagList(parseFlags(SPECS, []), 'dns'), ['8.8.8.8']);
  });

  it('parses signed ints', () => {
    assert.equal(flagInt(parseFlags(SPECS, ['--mtu', '-5']), 'mtu'), -5);
    assert.equal(flagInt(parseFlags(SPECS, ['--mtu=+7']), 'mtu'), 7);
  });

  it('rejects a non-integer int value with Go wording', () => {
    assert.throws(
      () => parseFlags(SPECS, ['--mtu', 'abc']),
      (err: unknown) =>
        err instanceof FlagError &&
        err.message ===
          'invalid argument "abc" for "--mtu" flag: strconv.ParseInt: parsing "abc": invalid syntax',
    );
    assert.throws(() => parseFlags(SPECS, ['--mtu=1.5']), FlagError);
  });

  it('names the unknown long flag', () => {
    assert.throws(() => parseFlags(SPECS, ['--nope']), { message: 'unknown flag: --nope' });
    assert.throws(() => parseFlags(SPECS, ['--nope=1']), { message: 'unknown flag: --nope' });
  });

  it('names the unknown shorthand and the word it is in', () => {
    assert.throws(() => parseFlags(SPECS, ['-ix']), {
      message: "unknown shorthand flag: 'x' in -ix",
    });
  });

  it('reports a missing value', () => {
    assert.throws(() => parseFlags(SPECS, ['--name']), {
      message: 'flag needs an argument: --name',
    });
    assert.throws(() => parseFlags(SPECS, ['-n']), {
      message: "flag needs an argument: 'n' in -n",
    });
  });

  it('stops at -- and keeps what follows as arguments', () => {
    const f = parseFlags(SPECS, ['-i', '--', '-t', '--name', 'x']);
    assert.equal(flagBool(f, 'interactive'), true);
    assert.equal(flagBool(f, 'tty'), false);
    assert.deepEqual(f.args, ['-t', '--name', 'x']);
  });

  it('intersperses flags and positionals by default', () => {
    const f = parseFlags(SPECS, ['img', '-t', 'cmd']);
    assert.equal(flagBool(f, 'tty'), true);
    assert.deepEqual(f.args, ['img', 'cmd']);
  });

  it('stops at the first positional when not interspersed', () => {
    const f = parseFlags(SPECS, ['-i', 'img', '-t', '--name', 'x'], { interspersed: false });
    assert.equal(flagBool(f, 'interactive'), true);
    assert.equal(flagBool(f, 'tty'), false);
    assert.equal(flagString(f, 'name'), '');
    assert.deepEqual(f.args, ['img', '-t', '--name', 'x']);
  });

  it('treats a lone - as a positional', () => {
    assert.deepEqual(parseFlags(SPECS, ['-']).args, ['-']);
  });

  it('records explicitly given flags even when set to their default', () => {
    const f = parseFlags(SPECS, ['--mtu=1500', '--iptables']);
    assert.ok(f.given.has('mtu'));
    assert.ok(f.given.has('iptables'));
    assert.ok(!f.given.has('name'));
  });
});

describe('typed accessors', () => {
  it('refuse the wrong type', () => {
    const f = parseFlags(SPECS, []);
    assert.throws(() => flagString(f, 'mtu'), /not a string flag/);
    assert.throws(() => flagBool(f, 'name'), /not a bool flag/);
    assert.throws(() => flagInt(f, 'tty'), /not an int flag/);
    assert.throws(() => flagList(f, 'name'), /not a list flag/);
  });
});

describe('parseBool', () => {
  it('accepts the Go spellings only', () => {
    for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseBool(t), true);
    for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseBool(f), false);
    assert.equal(parseBool('yes'), undefined);
    assert.equal(parseBool('tRuE'), undefined);
  });
});

describe('formatFlagHelp', () => {
  const help = formatFlagHelp(SPECS);
  const lines = help.split('\n');

  it('lists shorthands and value placeholders', () => {
    assert.ok(lines.some((l) => l.startsWith('  -n, --name string ')));
    assert.ok(lines.some((l) => l.startsWith('  -e, --env list ')));
    assert.ok(lines.some((l) => l.startsWith('      --mtu int ')));
    assert.ok(lines.some((l) => /^ {2}-i, --interactive +Keep STDIN open$/.test(l)));
  });

  it('shows non-empty defaults only', () => {
    assert.match(help, /MTU \(default 1500\)/);
    assert.match(help, /Enable iptables \(default true\)/);
    assert.match(help, /DNS \(default \[8\.8\.8\.8\]\)/);
    assert.doesNotMatch(help, /Allocate a TTY \(default/);
    assert.doesNotMatch(help, /Name \(default/);
  });

  it('omits hidden flags', () => {
    assert.doesNotMatch(help, /secret/);
    assert.equal(lines.length, SPECS.length - 1);
  });

  it('aligns the help column', () => {
    const columns = lines.map((l) => l.search(/[A-Z]/));
    assert.equal(new Set(columns).size, 1);
  });

  it('quotes string defaults', () => {
    const out = formatFlagHelp([
      { name: 'root', type: 'string', default: '/var/lib', help: 'Root', placeholder: 'dir' },
    ]);
    assert.equal(out, '      --root dir   Root (default "/var/lib")');
  });
});
