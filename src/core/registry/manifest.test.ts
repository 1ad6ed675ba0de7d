import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choosePlatform, MEDIA_TYPES, parseManifest, parsePlatform } from './manifest.js';

const d = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

test('parses a schema 2 manifest', () => {
  const m = parseManifest(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.dockerManifest,
        config: { mediaType: MEDIA_TYPES.dockerConfig, digest: d(1), size: 10 },
        layers: [{ mediaType: MEDIA_TYPES.dockerLayerGzip, digest: d(2), size: 20 }],
      }),
    ),
    undefined,
  );
  assert.equal(m.kind, 'image');
  if (m.kind === 'image') assert.equal(m.layers[0]?.digest, d(2));
});

test('an OCI index without mediaType in the body is told by Content-Type', () => {
  const m = parseManifest(
    Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })),
    `${MEDIA_TYPES.ociIndex}; charset=utf-8`,
  );
  assert.equal(m.kind, 'index');
});

test('refuses schema 1, bad digests and non-JSON', () => {
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'), undefined), /schema 1/);
  assert.throws(
    () =>
      parseManifest(
        Buffer.from(JSON.stringify({ config: { digest: 'md5:x', size: 1 }, layers: [] })),
        MEDIA_TYPES.ociManifest,
      ),
    /not a valid sha256 descriptor/,
  );
  assert.throws(() => parseManifest(Buffer.from('<html>'), undefined), /not JSON/);
});

test('chooses linux/amd64 from an index, or the platform asked for', () => {
  const list = [
    {
      mediaType: '',
      digest: d(3),
      size: 1,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    },
    { mediaType: '', digest: d(4), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: '', digest: d(5), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
  ];
  assert.equal(choosePlatform(list, parsePlatform('linux/amd64')).digest, d(4));
  assert.equal(choosePlatform(list, parsePlatform('linux/arm64')).digest, d(3));
  assert.throws(
    () => choosePlatform(list, parsePlatform('linux/s390x')),
    /no matching manifest for linux\/s390x/,
  );
  assert.throws(() => parsePlatform('linux//'), /unknown operating system/);
});
