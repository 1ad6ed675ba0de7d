import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeTarHeader, padding, type TarHeader } from './tar-header.js';
import { createTarExtract } from './tar-extract.js';
import { entryMeta } from './entry-meta.js';

async function roundTrip(headers: TarHeader[]): Promise<Array<{ header: unknown; meta: unknown }>> {
  const extract = createTarExtract();
  const out: Array<{ header: unknown; meta: unknown }> = [];
  const reading = (async () => {
    for await (const entry of extract) {
      const { name, type, linkname, size } = entry.header;
      out.push({ header: { name, type, linkname, size }, meta: entryMeta(entry.header, name) });
      entry.resume();
    }
  })();
  for (const header of headers) {
    extract.write(encodeTarHeader(header));
    extract.write(Buffer.alloc(header.size ?? 0, 0x61));
    extract.write(padding(header.size ?? 0));
  }
  extract.end(Buffer.alloc(1024));
  await reading;
  return out;
}

test('headers parse back, long names, big ids and binary xattrs included', async () => {
  const capability = Buffer.from([1, 0, 0, 2, 0x80, 0xff, 0, 0]);
  const long = `${'a'.repeat(120)}/${'b'.repeat(120)}`;
  const [plain, split, pax] = await roundTrip([
    {
      name: 'dir/file',
      type: 'file',
      mode: 0o4755,
      uid: 1000,
      gid: 1000,
      size: 3,
      mtime: 1_600_000_000,
    },
    {
      name: `${'p'.repeat(150)}/name`,
      type: 'symlink',
      mode: 0o777,
      uid: 0,
      gid: 0,
      mtime: 1,
      linkname: 't',
    },
    {
      name: long,
      type: 'link',
      mode: 0o644,
      uid: 3_000_000,
      gid: 5,
      mtime: 2,
      linkname: long,
      xattrs: [['security.capability', capability]],
    },
  ]);
  assert.deepEqual(plain, {
    header: { name: 'dir/file', type: 'file', linkname: null, size: 3 },
    meta: { mode: 0o4755, uid: 1000, gid: 1000, mtime: 1_600_000_000, xattrs: [] },
  });
  assert.deepEqual((split as { header: unknown }).header, {
    name: `${'p'.repeat(150)}/name`,
    type: 'symlink',
    linkname: 't',
    size: 0,
  });
  assert.deepEqual(pax, {
    header: { name: long, type: 'link', linkname: long, size: 0 },
    meta: {
      mode: 0o644,
      uid: 3_000_000,
      gid: 5,
      mtime: 2,
      xattrs: [['security.capability', capability]],
    },
  });
});

test('entryMeta drops overlayfs xattrs and refuses bad owners', async () => {
  const [entry] = await roundTrip([
    {
      name: 'd/',
      type: 'directory',
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: 0,
      xattrs: [['trusted.overlay.redirect', Buffer.from('/etc')]],
    },
  ]);
  assert.deepEqual((entry?.meta as { xattrs: unknown }).xattrs, []);
  assert.throws(
    () => entryMeta({ name: 'x', pax: { uid: '-1' } } as never, 'x'),
    /archive entry "x" has an invalid owner/,
  );
});
