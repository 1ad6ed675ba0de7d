import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ramInBytes } from './units.js';

describe('units', () => {
  it('ramInBytes reads go-units sizes (1024-based)', () => {
    assert.equal(ramInBytes('32m'), 32 * 1024 * 1024);
    assert.equal(ramInBytes('1.5g'), 1.5 * 1024 ** 3);
    assert.equal(ramInBytes('100'), 100);
    assert.equal(ramInBytes('8MiB'), 8 * 1024 * 1024);
    assert.equal(ramInBytes('2 kb'), 2048);
    assert.equal(ramInBytes('x'), undefined);
    assert.equal(ramInBytes('-1'), undefined);
  });
});
