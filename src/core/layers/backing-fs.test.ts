import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backingFsName, backingFsOf } from './backing-fs.js';

describe('backingFsName', () => {
  it("names file systems as Docker's info does", () => {
    assert.equal(backingFsName(0xef53), 'extfs');
    assert.equal(backingFsName(0x58465342), 'xfs');
    assert.equal(backingFsName(0x01021994), 'tmpfs');
    assert.equal(backingFsName(0x1234), '<unknown> (0x1234)');
  });

  it('reads a real path', async () => {
    assert.match(await backingFsOf('/'), /\S/);
  });
});
