import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goFileMode } from './file-mode.js';

describe('goFileMode', () => {
  it('encodes the values Docker 20.10 reported for busybox paths', () => {
    assert.equal(goFileMode(0o100644), 420); // a 0644 file
    assert.equal(goFileMode(0o040755), 2147484141); // a 0755 directory
    assert.equal(goFileMode(0o041777), 2148532735); // /tmp: sticky
    assert.equal(goFileMode(0o042755), 2151678445); // a set-group-ID directory
    assert.equal(goFileMode(0o120777), 134218239); // a symlink
    assert.equal(goFileMode(0o104755), 8389101); // a set-user-ID file
    assert.equal(goFileMode(0o020644), 69206436); // a character device
    assert.equal(goFileMode(0o010644), 33554852); // a fifo
  });

  it('marks sockets and block devices by their own bits', () => {
    assert.equal(goFileMode(0o140755), 2 ** 24 + 0o755);
    assert.equal(goFileMode(0o060600), 2 ** 26 + 0o600);
  });
});
