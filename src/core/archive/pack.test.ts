import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extract, type Header } from 'tar-stream';
import { packChanges } from './pack.js';

async function entriesOf(tar: NodeJS.ReadableStream): Promise<{ header: Header; body: string }[]> {
  const out: { header: Header; body: string }[] = [];
  const x = extract();
  const reading = (async () => {
    for await (const entry of x) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      out.push({ header: entry.header, body: Buffer.concat(chunks).toString() });
    }
  })();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  x.end(Buffer.concat(chunks));
  await reading;
  return out;
}

describe('packChanges', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-pack-changes-'));
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc', 'passwd'), 'root');
    await writeFile(join(root, 'etc', 'unlisted'), 'not in the changes');
    await writeFile(join(root, 'added'), 'new');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('packs the listed entries sorted by path, deletions as .wh. entries', async () => {
    const entries = await entriesOf(
      packChanges({
        root,
        entries: [
          { path: '/etc/passwd', deleted: false },
          { path: '/bin/ls', deleted: true },
          { path: '/etc', deleted: false },
          { path: '/added', deleted: false },
          { path: '/gone', deleted: false },
        ],
      }),
    );
    assert.deepEqual(
      entries.map((e) => [e.header.name, e.header.type]),
      [
        ['added', 'file'],
        ['bin/.wh.ls', 'file'],
        ['etc/', 'directory'],
        ['etc/passwd', 'file'],
      ],
      'a directory comes without its content; an entry gone since is left out',
    );
    assert.equal(entries[0]?.body, 'new');
    assert.equal(entries[1]?.header.size, 0);
    assert.equal(entries[1]?.header.mode, 0);
    assert.equal(entries[3]?.body, 'root');
  });

  it('is an empty archive for no changes', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of packChanges({ root, entries: [] })) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), Buffer.alloc(1024));
  });
});
