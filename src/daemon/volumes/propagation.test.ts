import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mountOf } from './propagation.js';

const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '50 27 254:0 /srv /srv rw,relatime shared:7 - ext4 /dev/vda rw',
  '51 50 0:40 / /srv/a\\040b rw master:7 - tmpfs tmpfs rw',
  '',
].join('\n');

describe('mountOf', () => {
  it('finds the deepest mount holding a path, with its propagation tags', () => {
    assert.deepEqual(mountOf(MOUNTINFO, '/tmp/x'), { point: '/', tags: [] });
    assert.deepEqual(mountOf(MOUNTINFO, '/srv/data'), { point: '/srv', tags: ['shared:7'] });
    assert.deepEqual(mountOf(MOUNTINFO, '/srv/a b/c'), { point: '/srv/a b', tags: ['master:7'] });
    assert.deepEqual(mountOf(MOUNTINFO, '/srvx'), { point: '/', tags: [] });
  });
});
