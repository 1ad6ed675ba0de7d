import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMountFlag, splitVolumeFlags } from './mount-flag.js';

describe('--mount values', () => {
  it('become the Mounts objects the Docker CLI sends', () => {
    assert.deepEqual(
      parseMountFlag('type=bind,source=/srv,target=/b,ro,bind-propagation=rshared'),
      {
        Type: 'bind',
        Source: '/srv',
        Target: '/b',
        ReadOnly: true,
        BindOptions: { Propagation: 'rshared' },
      },
    );
    assert.deepEqual(parseMountFlag('dst=/v'), { Type: 'volume', Target: '/v' });
    assert.deepEqual(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=64k,tmpfs-mode=700'), {
      Type: 'tmpfs',
      Target: '/t',
      TmpfsOptions: { SizeBytes: 65536, Mode: 0o700 },
    });
  });

  it('refuses what the Docker CLI refuses, in its words', () => {
    assert.throws(
      () => parseMountFlag('type=volume,bogus'),
      /invalid field 'bogus' must be a key=value pair/,
    );
    assert.throws(
      () => parseMountFlag('type=volume,dst=/x,colour=red'),
      /unexpected key 'colour' in 'colour=red'/,
    );
    assert.throws(() => parseMountFlag('type=volume,src=v'), /target is required/);
    assert.throws(
      () => parseMountFlag('type=tmpfs,dst=/x,volume-nocopy'),
      /cannot mix 'volume-\*' options with mount type 'tmpfs'/,
    );
    assert.throws(
      () => parseMountFlag('type=tmpfs,dst=/x,tmpfs-mode=9'),
      /invalid value for tmpfs-mode: 9/,
    );
  });
});

describe('-v values', () => {
  it('with a source are binds (./ made absolute), alone anonymous volumes', () => {
    assert.deepEqual(splitVolumeFlags(['/anon', 'v:/d', './here:/h:ro', '/a:/b'], '/work/x'), {
      binds: ['v:/d', '/work/x/here:/h:ro', '/a:/b'],
      volumes: ['/anon'],
    });
  });
});
