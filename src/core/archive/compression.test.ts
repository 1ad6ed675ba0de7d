import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { detectCompression } from './compression.js';

test('detectCompression reads the magic bytes', () => {
  assert.equal(detectCompression(gzipSync('x')), 'gzip');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd');
  assert.equal(detectCompression(Buffer.from('a/file\0')), 'none');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5])), 'none');
  assert.equal(detectCompression(Buffer.alloc(0)), 'none');
});
