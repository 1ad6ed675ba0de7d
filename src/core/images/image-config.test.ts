import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { chainIds, parseImageConfig, sha256Digest } from './image-config.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;

describe('image config', () => {
  it('computes chain IDs as the image spec defines them', () => {
    const [a, b, c] = [d('a'), d('b'), d('c')];
    const chains = chainIds([a, b, c]);
    assert.equal(chains[0], a);
    assert.equal(chains[1], sha256Digest(`${a} ${b}`));
    assert.equal(chains[2], sha256Digest(`${chains[1]} ${c}`));
    assert.deepEqual(chainIds([]), []);
  });

  it('parses a valid config and names what is wrong in a bad one', () => {
    const ok = {
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [d('1')] },
    };
    assert.equal(parseImageConfig(JSON.stringify(ok)).rootfs.diff_ids.length, 1);
    const bad = (value: unknown, message: RegExp): void =>
      assert.throws(
        () => parseImageConfig(typeof value === 'string' ? value : JSON.stringify(value)),
        (e: unknown) => isBerthError(e, 'invalid-argument') && message.test(e.message),
      );
    bad('{', /invalid image config/);
    bad([], /not a JSON object/);
    bad({ ...ok, rootfs: { type: 'x', diff_ids: [] } }, /rootfs must be/);
    bad({ ...ok, rootfs: { type: 'layers', diff_ids: ['nope'] } }, /bad diff_id/);
    bad({ ...ok, os: 3 }, /os and architecture/);
    bad(
      { ...ok, rootfs: { type: 'layers', diff_ids: Array.from({ length: 128 }, () => d('f')) } },
      /max depth exceeded/,
    );
  });
});
