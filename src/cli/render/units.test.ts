import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alignKeys, bytesSize } from './units.js';

describe('bytesSize', () => {
  it('prints small sizes in bytes', () => {
    assert.equal(bytesSize(0), '0B');
    assert.equal(bytesSize(1), '1B');
    assert.equal(bytesSize(1023), '1023B');
  });

  it('uses 1024-based units', () => {
    assert.equal(bytesSize(1024), '1KiB');
    assert.equal(bytesSize(1536), '1.5KiB');
    assert.equal(bytesSize(1024 ** 2), '1MiB');
    assert.equal(bytesSize(1024 ** 4), '1TiB');
  });

  it('keeps four significant digits', () => {
    assert.equal(bytesSize(25275195392), '23.54GiB');
    assert.equal(bytesSize(1024 * 123.456), '123.5KiB');
  });

  it('stops at PiB', () => {
    assert.equal(bytesSize(2048 * 1024 ** 5), '2048PiB');
  });
});

describe('alignKeys', () => {
  it('pads keys to 20 columns', () => {
    assert.equal(
      alignKeys([
        ['Containers:', '3'],
        ['Images:', '1'],
      ]),
      'Containers:         3\nImages:             1',
    );
  });

  it('widens for a long key, leaving one space', () => {
    const key = 'A very long key, longer than twenty:';
    assert.equal(alignKeys([[key, 'v']]), `${key} v`);
  });

  it('prints a key with an empty value alone', () => {
    assert.equal(alignKeys([['Plugins:', '']]), 'Plugins:');
  });

  it('honours a custom minimum', () => {
    assert.equal(alignKeys([['k:', 'v']], 5), 'k:   v');
  });
});
