// The tar stream of a walked tree (lib/scoped-fs/walk-tree.ts): ustar headers, PAX where a
// name, link or number does not fit, directories named with a trailing slash, and the two
// zero blocks that end an archive.

import type { TreeEntry } from '../../lib/scoped-fs/walk-tree.js';
import { BLOCK_SIZE, encodeTarHeader, padding } from './tar-header.js';

export async function* tarOfTree(entries: AsyncIterable<TreeEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const { content, ...header } = entry;
    yield encodeTarHeader({
      ...header,
      name: entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name,
      size: entry.type === 'file' ? entry.size : 0,
    });
    if (content === undefined) continue;
    for await (const chunk of content) yield chunk;
    yield padding(entry.size);
  }
  yield Buffer.alloc(2 * BLOCK_SIZE);
}
