import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mountPointsUnder, parseMountInfo, unescapeMountField } from './mountinfo.js';

const SAMPLE = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '45 22 0:39 / /var/lib/berth/overlay2/abc/merged rw,relatime - overlay overlay rw,lowerdir=l/AAA,upperdir=abc/diff,workdir=abc/work',
  '46 22 0:40 / /var/lib/berth/overlay2/my\\040dir/merged rw shared:7 master:2 - overlay overlay rw',
  '47 22 0:41 / /var/lib/berth/overlay2-other/x/merged rw - overlay overlay rw',
  '48 45 0:42 / /var/lib/berth/overlay2/abc/merged/proc rw - proc proc rw',
  '',
].join('\n');

describe('parseMountInfo', () => {
  it('reads the mount point, type, source and super options of each line', () => {
    const entries = parseMountInfo(SAMPLE);
    assert.equal(entries.length, 5);
    assert.deepEqual(entries[1], {
      mountId: 45,
      parentId: 22,
      mountPoint: '/var/lib/berth/overlay2/abc/merged',
      fsType: 'overlay',
      source: 'overlay',
      superOptions: 'rw,lowerdir=l/AAA,upperdir=abc/diff,workdir=abc/work',
    });
  });

  it('finds the separator after any number of optional fields', () => {
    const entry = parseMountInfo(SAMPLE)[2];
    assert.equal(entry?.fsType, 'overlay');
    assert.equal(entry?.mountPoint, '/var/lib/berth/overlay2/my dir/merged');
  });

  it('skips malformed lines', () => {
    assert.deepEqual(parseMountInfo('garbage\n1 2 3\n'), []);
  });
});

describe('unescapeMountField', () => {
  it('undoes octal escapes', () => {
    assert.equal(unescapeMountField('a\\040b\\011c\\012d\\134e'), 'a b\tc\nd\\e');
    assert.equal(unescapeMountField('plain'), 'plain');
  });
});

describe('mountPointsUnder', () => {
  it('lists mounts strictly below a dir, deepest first, not its siblings', () => {
    assert.deepEqual(mountPointsUnder(parseMountInfo(SAMPLE), '/var/lib/berth/overlay2'), [
      '/var/lib/berth/overlay2/abc/merged/proc',
      '/var/lib/berth/overlay2/my dir/merged',
      '/var/lib/berth/overlay2/abc/merged',
    ]);
    assert.deepEqual(mountPointsUnder(parseMountInfo(SAMPLE), '/var/lib/berth/overlay2/'), [
      '/var/lib/berth/overlay2/abc/merged/proc',
      '/var/lib/berth/overlay2/my dir/merged',
      '/var/lib/berth/overlay2/abc/merged',
    ]);
    assert.deepEqual(mountPointsUnder(parseMountInfo(SAMPLE), '/nowhere'), []);
  });
});
