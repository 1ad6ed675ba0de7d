import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseBind,
  parseMount,
  parseVolumesFrom,
  validMountMode,
  validateTmpfsDestination,
} from './mount-spec.js';
import { localMount, localOptionsProblem, volumeNameProblem } from './volume-name.js';

const nothingExists = (): boolean => false;

describe('parseBind (-v / Binds)', () => {
  it('an absolute source is a bind, rprivate unless given, created when missing', () => {
    const m = parseBind('/srv/bind/../data:/bind/:ro');
    assert.equal(m.type, 'bind');
    assert.equal(m.source, '/srv/data');
    assert.equal(m.destination, '/bind');
    assert.equal(m.mode, 'ro');
    assert.equal(m.rw, false);
    assert.equal(m.propagation, 'rprivate');
    assert.equal(m.createSource, true);
    assert.equal(parseBind('/a:/b:rslave').propagation, 'rslave');
  });

  it('a name is a volume, a lone path an anonymous one', () => {
    const named = parseBind('amvol:/data');
    assert.deepEqual(
      [named.type, named.name, named.anonymous, named.rw],
      ['volume', 'amvol', false, true],
    );
    assert.equal(parseBind('amvol:/data:nocopy').copyData, false);
    const anon = parseBind('/anon');
    assert.deepEqual(
      [anon.type, anon.name, anon.anonymous, anon.copyData],
      ['volume', '', true, true],
    );
  });

  it("refuses what Docker refuses, in Docker's words", () => {
    assert.throws(() => parseBind(''), /invalid volume specification: ''/);
    assert.throws(
      () => parseBind('/data:rw'),
      /^BerthError: invalid volume specification: '\/data:rw'$/,
    );
    assert.throws(() => parseBind('a:/b:bogus'), /invalid mode: bogus/);
    assert.throws(() => parseBind('a:/b:ro,rw'), /invalid mode: ro,rw/);
    assert.throws(() => parseBind('a:b:c:d:e'), /invalid volume specification/);
    assert.throws(
      () => parseBind('vol:relative'),
      /invalid volume specification: 'vol:relative': invalid mount config for type "volume": invalid mount path: 'relative' mount path must be absolute/,
    );
    assert.throws(() => parseBind('/src:/'), /destination can't be '\/'/);
    assert.throws(
      () => parseBind('vol:/x:rshared'),
      /invalid mount config for type "volume": field BindOptions must not be specified/,
    );
  });

  it('modes: known words, one of each kind', () => {
    assert.equal(validMountMode('ro,z,rslave,nocopy'), true);
    assert.equal(validMountMode('ro,rw'), false);
    assert.equal(validMountMode('x'), false);
  });
});

describe('parseMount (--mount / Mounts)', () => {
  it('a bind must exist unless CreateMountpoint', () => {
    assert.throws(
      () => parseMount({ Type: 'bind', Source: '/nope', Target: '/t' }, 0, nothingExists),
      /^BerthError: invalid mount config for type "bind": bind source path does not exist: \/nope$/,
    );
    const m = parseMount(
      {
        Type: 'bind',
        Source: '/nope',
        Target: '/t',
        ReadOnly: true,
        BindOptions: { CreateMountpoint: true, Propagation: 'rshared' },
      },
      0,
      nothingExists,
    );
    assert.deepEqual([m.rw, m.propagation, m.createSource, m.mode], [false, 'rshared', true, '']);
    assert.throws(
      () =>
        parseMount(
          { Type: 'bind', Source: '/x', Target: '/t', BindOptions: { Propagation: 'weird' } },
          0,
          () => true,
        ),
      /invalid propagation mode: weird/,
    );
  });

  it('volumes: named or anonymous, nocopy, labels and driver options', () => {
    const m = parseMount(
      {
        Type: 'volume',
        Source: 'v1',
        Target: '/d2',
        VolumeOptions: {
          NoCopy: true,
          Labels: { a: 'b' },
          DriverConfig: { Options: { type: 'tmpfs', device: 'tmpfs' } },
        },
      },
      0,
      nothingExists,
    );
    assert.deepEqual([m.name, m.copyData, m.anonymous, m.driver], ['v1', false, false, 'local']);
    assert.deepEqual(m.volumeOptions, {
      labels: { a: 'b' },
      driverOptions: { type: 'tmpfs', device: 'tmpfs' },
    });
    assert.throws(
      () => parseMount({ Type: 'volume', Target: '/d', ReadOnly: true }, 0, nothingExists),
      /must not set ReadOnly mode when using anonymous volumes/,
    );
  });

  it('tmpfs: size with a suffix, mode in octal', () => {
    const m = parseMount(
      { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 16384, Mode: 0o1770 } },
      0,
      nothingExists,
    );
    assert.equal(m.tmpfsData, 'mode=1770,size=16k');
    assert.equal(
      parseMount(
        { Type: 'tmpfs', Target: '/t', ReadOnly: true, TmpfsOptions: { SizeBytes: 1000 } },
        0,
        nothingExists,
      ).tmpfsData,
      'ro,size=1000',
    );
    assert.throws(
      () => parseMount({ Type: 'tmpfs', Source: 'x', Target: '/t' }, 0, nothingExists),
      /invalid mount config for type "tmpfs": field Source must not be specified/,
    );
  });

  it('refuses unknown types, missing and relative targets, wrong JSON types', () => {
    assert.throws(
      () => parseMount({ Type: 'nfs', Target: '/t' }, 0, nothingExists),
      /invalid mount config for type "nfs": mount type unknown/,
    );
    assert.throws(
      () => parseMount({ Type: 'volume', Source: 'v' }, 0, nothingExists),
      /field Target must not be empty/,
    );
    assert.throws(
      () => parseMount({ Type: 'volume', Source: 'v', Target: 'rel' }, 0, nothingExists),
      /invalid mount path: 'rel' mount path must be absolute/,
    );
    assert.throws(
      () => parseMount('x', 2, nothingExists),
      /HostConfig.Mounts\[2\] must be an object/,
    );
    assert.throws(
      () => parseMount({ Type: 'volume', Target: 5 }, 0, nothingExists),
      /field HostConfig.Mounts\[0\].Target must be a string/,
    );
  });
});

describe('volumes-from, tmpfs destinations, names, local options', () => {
  it('parses volumes-from specs', () => {
    assert.deepEqual(parseVolumesFrom('c1'), { container: 'c1', rw: true });
    assert.deepEqual(parseVolumesFrom('c1:ro'), { container: 'c1', rw: false });
    assert.throws(() => parseVolumesFrom(''), /cannot be an empty string/);
    assert.throws(() => parseVolumesFrom('c1:rshared'), /invalid mode: rshared/);
    assert.throws(() => parseVolumesFrom('c1:nocopy'), /invalid mode: nocopy/);
  });

  it('tmpfs destinations are absolute and not /', () => {
    assert.doesNotThrow(() => validateTmpfsDestination('/run/x'));
    assert.throws(
      () => validateTmpfsDestination('tmpx'),
      /invalid mount path: 'tmpx' mount path must be absolute/,
    );
    assert.throws(() => validateTmpfsDestination('/./'), /destination can't be '\/'/);
  });

  it('volume names: two characters at least, no path characters', () => {
    assert.equal(volumeNameProblem('amvol'), undefined);
    assert.equal(volumeNameProblem('a.b-c_d'), undefined);
    assert.match(volumeNameProblem('a') ?? '', /too short/);
    for (const bad of ['../x', 'a/b', '.hidden', '-x', 'a b', ''])
      assert.match(
        volumeNameProblem(bad) ?? '',
        /includes invalid characters for a local volume name/,
        bad,
      );
  });

  it('local driver options', () => {
    assert.equal(localOptionsProblem({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }), undefined);
    assert.equal(localOptionsProblem({ foo: 'x' }), 'invalid option: "foo"');
    assert.equal(localOptionsProblem({ type: 'tmpfs' }), 'missing required option: "device"');
    assert.equal(localOptionsProblem({ o: 'bind' }), 'missing required option: "device"');
    assert.equal(localOptionsProblem({ size: '1m' }), 'quota size requested but no quota support');
    assert.deepEqual(localMount({ type: 'none', o: 'bind', device: '/srv' }), {
      type: 'none',
      device: '/srv',
      o: 'bind',
    });
    assert.equal(localMount({}), undefined);
  });
});
