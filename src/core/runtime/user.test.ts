import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { resolveUser } from './user.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false

# a comment
www-data:x:33:33:www-data:/var/www:/bin/false
alice:x:1000:1000:Alice:/home/alice:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
`;

const GROUP = `root:x:0:
daemon:x:1:
wheel:x:10:root,alice
audio:x:29:alice
www-data:x:33:
alice:x:1000:
staff:x:50:alice,bob
nogroup:x:65534:
`;

function invalid(message: string) {
  return (err: unknown) => isBerthError(err, 'invalid-argument') && err.message === message;
}

describe('resolveUser', () => {
  it('defaults to root with its group memberships', () => {
    assert.deepEqual(resolveUser('', PASSWD, GROUP), {
      uid: 0,
      gid: 0,
      additionalGids: [0, 10], // the primary group first, as Docker lists it
      home: '/root',
    });
  });

  it('resolves a name and its supplementary groups', () => {
    assert.deepEqual(resolveUser('alice', PASSWD, GROUP), {
      uid: 1000,
      gid: 1000,
      additionalGids: [1000, 10, 29, 50],
      home: '/home/alice',
    });
  });

  it('resolves a uid through passwd, or takes it as it is with gid 0', () => {
    assert.deepEqual(resolveUser('33', PASSWD, GROUP), {
      uid: 33,
      gid: 33,
      additionalGids: [33],
      home: '/var/www',
    });
    assert.deepEqual(resolveUser('4242', PASSWD, GROUP), {
      uid: 4242,
      gid: 0,
      additionalGids: [0],
      home: '/',
    });
  });

  it('takes an explicit group, by name or number, without memberships', () => {
    assert.deepEqual(resolveUser('alice:staff', PASSWD, GROUP), {
      uid: 1000,
      gid: 50,
      additionalGids: [50],
      home: '/home/alice',
    });
    assert.equal(resolveUser('1000:4000', PASSWD, GROUP).gid, 4000);
    assert.deepEqual(resolveUser('4242:audio', PASSWD, GROUP), {
      uid: 4242,
      gid: 29,
      additionalGids: [29],
      home: '/',
    });
    assert.equal(resolveUser('4242:33', '', '').gid, 33);
  });

  it("refuses unknown names with Docker's words", () => {
    assert.throws(
      () => resolveUser('nobody', 'root:x:0:0:root:/root:/bin/sh\n', GROUP),
      invalid('unable to find user nobody: no matching entries in passwd file'),
    );
    assert.throws(
      () => resolveUser('alice:nope', PASSWD, GROUP),
      invalid('unable to find group nope: no matching entries in group file'),
    );
    assert.throws(
      () => resolveUser('', PASSWD, GROUP, ['nope']),
      invalid('Unable to find group nope: no matching entries in group file'),
    );
    assert.throws(
      () => resolveUser('2147483648', PASSWD, GROUP),
      invalid('uids and gids must be in range 0-2147483647'),
    );
  });

  it('appends --group-add entries by name or number, once each', () => {
    assert.deepEqual(
      resolveUser('alice', PASSWD, GROUP, ['audio', 'www-data', '777', '777']).additionalGids,
      [1000, 10, 29, 50, 33, 777],
    );
    assert.deepEqual(resolveUser('', '', '', ['5']), {
      uid: 0,
      gid: 0,
      additionalGids: [0, 5],
      home: '/',
    });
  });
});
