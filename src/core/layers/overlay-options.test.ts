import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LINK_NAME_LENGTH,
  MAX_LOWER_DEPTH,
  MOUNT_OPTIONS_LIMIT,
  buildLowerChain,
  buildOverlayMountOptions,
  generateLinkName,
  isLinkName,
  lowerDepth,
} from './overlay-options.js';

describe('generateLinkName', () => {
  it('makes 26 characters of [A-Z0-9]', () => {
    for (let i = 0; i < 200; i++) {
      const name = generateLinkName();
      assert.equal(name.length, LINK_NAME_LENGTH);
      assert.match(name, /^[A-Z0-9]{26}$/);
      assert.ok(isLinkName(name));
    }
  });

  it('draws every character from the random source', () => {
    assert.equal(
      generateLinkName(() => 0),
      'A'.repeat(26),
    );
    assert.equal(
      generateLinkName((max) => max - 1),
      '9'.repeat(26),
    );
  });

  it('does not repeat itself', () => {
    const names = new Set(Array.from({ length: 1000 }, () => generateLinkName()));
    assert.equal(names.size, 1000);
  });
});

describe('isLinkName', () => {
  it('refuses anything that could leave the links dir', () => {
    assert.equal(isLinkName('../../etc/passwd'), false);
    assert.equal(isLinkName('abcdefghijklmnopqrstuvwxyz'), false);
    assert.equal(isLinkName('A'.repeat(25)), false);
    assert.equal(isLinkName(''), false);
  });
});

describe('buildLowerChain', () => {
  it('puts the parent first, then its ancestors nearest first', () => {
    assert.equal(buildLowerChain('P', undefined), 'l/P');
    assert.equal(buildLowerChain('C', 'l/B:l/A'), 'l/C:l/B:l/A');
  });

  it('counts the layers of a chain', () => {
    assert.equal(lowerDepth(''), 0);
    assert.equal(lowerDepth('l/A'), 1);
    assert.equal(lowerDepth('l/C:l/B:l/A'), 3);
  });
});

describe('buildOverlayMountOptions', () => {
  it('uses paths relative to the driver root', () => {
    assert.equal(
      buildOverlayMountOptions({ lower: 'l/B:l/A', id: 'abc', indexOff: false }),
      'lowerdir=l/B:l/A,upperdir=abc/diff,workdir=abc/work',
    );
    assert.equal(
      buildOverlayMountOptions({ lower: 'l/A', id: 'abc', indexOff: true }),
      'index=off,lowerdir=l/A,upperdir=abc/diff,workdir=abc/work',
    );
  });

  it('fits the deepest stack with the longest ids in one page', () => {
    let lower: string | undefined;
    for (let i = 0; i < MAX_LOWER_DEPTH; i++) lower = buildLowerChain(generateLinkName(), lower);
    assert.equal(lowerDepth(lower ?? ''), MAX_LOWER_DEPTH);
    const options = buildOverlayMountOptions({
      lower: lower ?? '',
      id: 'f'.repeat(64),
      indexOff: true,
    });
    assert.ok(
      Buffer.byteLength(options) <= MOUNT_OPTIONS_LIMIT,
      `${Buffer.byteLength(options)} bytes`,
    );
  });
});
