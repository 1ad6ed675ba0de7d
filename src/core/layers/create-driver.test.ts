import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStorageDriver } from './create-driver.js';

describe('createStorageDriver', () => {
  it('roots each driver in its own dir of the data root', () => {
    const overlay = createStorageDriver('overlay2', '/var/lib/berth');
    assert.equal(overlay.name, 'overlay2');
    assert.equal(overlay.whiteoutFormat, 'overlay');
    assert.equal(overlay.diffPath('abc'), '/var/lib/berth/overlay2/abc/diff');
    const vfs = createStorageDriver('vfs', '/var/lib/berth');
    assert.equal(vfs.name, 'vfs');
    assert.equal(vfs.whiteoutFormat, 'delete');
    assert.equal(vfs.diffPath('abc'), '/var/lib/berth/vfs/dir/abc');
  });
});
