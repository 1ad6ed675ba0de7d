import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageEntry } from '../../core/images/image-views.js';
import type { LayerRecord } from '../../core/state/image-records.js';
import { registryHost } from './login.js';
import { pullReference } from './pull.js';
import { buildManifest } from './push.js';
import { splitSearchTerm } from './search.js';

const hex = (c: string): string => `sha256:${c.repeat(64)}`;

test('pull: fromImage and tag become one reference; no tag means every tag', () => {
  assert.deepEqual(pullReference('busybox', 'latest'), {
    domain: 'docker.io',
    path: 'library/busybox',
    tag: 'latest',
    digest: undefined,
  });
  const byDigest = pullReference('127.0.0.1:5000/app', hex('a'));
  assert.equal(byDigest.digest, hex('a'));
  assert.equal(byDigest.tag, undefined);
  const all = pullReference('127.0.0.1:5000/app', '');
  assert.equal(all.tag, undefined);
  assert.equal(all.digest, undefined);
  assert.equal(pullReference('127.0.0.1:5000/app:2', '').tag, '2');
  assert.throws(() => pullReference('Bad/Name', 'x'), /invalid reference format/);
});

test('login: server addresses name a registry host', () => {
  assert.equal(registryHost(undefined), 'docker.io');
  assert.equal(registryHost('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(registryHost('http://127.0.0.1:5000/'), '127.0.0.1:5000');
  assert.equal(registryHost('127.0.0.1:5000'), '127.0.0.1:5000');
  assert.throws(() => registryHost('http:// x'), /invalid registry address/);
});

test('search: a term may name its registry', () => {
  assert.deepEqual(splitSearchTerm('127.0.0.1:5000/app'), {
    domain: '127.0.0.1:5000',
    query: 'app',
  });
  assert.deepEqual(splitSearchTerm('busybox'), { domain: 'docker.io', query: 'busybox' });
  assert.deepEqual(splitSearchTerm('me/app'), { domain: 'docker.io', query: 'me/app' });
});

function layer(blob: string, compression: LayerRecord['blobCompression']): LayerRecord {
  return {
    chainId: blob,
    diffId: blob,
    parent: null,
    driverId: 'x',
    size: 1,
    diffSize: 1,
    blobDigest: blob,
    blobCompression: compression,
    blobSize: 42,
    createdAt: '',
  };
}

test('push: a schema 2 manifest of the blobs as sent; OCI when a layer is zstd', () => {
  const entry = {
    id: hex('c'),
    configSize: 99,
    layers: [layer(hex('1'), 'gzip'), layer(hex('2'), 'none')],
  } as unknown as ImageEntry;
  const docker = buildManifest(entry, [
    { digest: hex('1'), size: 42, compression: 'gzip' },
    { digest: hex('2'), size: 42, compression: 'none' },
  ]);
  assert.equal(docker.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.deepEqual(JSON.parse(docker.bytes.toString()), {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 99,
      digest: hex('c'),
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: 42,
        digest: hex('1'),
      },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: 42, digest: hex('2') },
    ],
  });
  assert.match(docker.bytes.toString(), /^\{\n {3}"schemaVersion": 2,/);
  const oci = buildManifest(
    { ...entry, layers: [layer(hex('3'), 'zstd')] } as unknown as ImageEntry,
    [{ digest: hex('3'), size: 7, compression: 'zstd' }],
  );
  const parsed = JSON.parse(oci.bytes.toString()) as { layers: { mediaType: string }[] };
  assert.equal(oci.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(parsed.layers[0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
});
