import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapePath, formatXattrBlock, unescapePath, XattrDumpParser } from './xattr-dump.js';

test('paths are escaped as getfattr does, and back', () => {
  for (const path of ['/a/b c', '/x\\y', '/new\nline', '/é', "/q'uote"]) {
    const escaped = escapePath(path);
    assert.doesNotMatch(escaped, /[\s]/);
    assert.equal(unescapePath(escaped), path);
  }
  assert.equal(unescapePath('/tmp/o b\\134c'), '/tmp/o b\\c');
});

test('a setfattr block parses back', () => {
  const parser = new XattrDumpParser();
  const block = formatXattrBlock('/t/a b', [
    ['user.x', Buffer.from([0, 0x80])],
    ['user.empty', Buffer.alloc(0)],
  ]);
  for (const line of block.split('\n')) parser.line(line);
  assert.deepEqual(
    [...parser.files],
    [
      [
        '/t/a b',
        [
          ['user.x', Buffer.from([0, 0x80])],
          ['user.empty', Buffer.alloc(0)],
        ],
      ],
    ],
  );
});
