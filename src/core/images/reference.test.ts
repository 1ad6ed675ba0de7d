import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { familiarString, formatReference, isFullImageId, parseReference } from './reference.js';

const norm = (s: string): string => formatReference(parseReference(s));

describe('image references', () => {
  it('normalises Docker Hub names to docker.io/library and the latest tag', () => {
    assert.equal(norm('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(norm('busybox:1.36'), 'docker.io/library/busybox:1.36');
    assert.equal(norm('me/app'), 'docker.io/me/app:latest');
    assert.equal(norm('docker.io/busybox'), 'docker.io/library/busybox:latest');
    assert.equal(norm('index.docker.io/library/busybox:1'), 'docker.io/library/busybox:1');
  });

  it('keeps registry hosts, ports and digests', () => {
    assert.equal(norm('127.0.0.1:5000/ambox:v1'), '127.0.0.1:5000/ambox:v1');
    assert.equal(norm('localhost/app'), 'localhost/app:latest');
    assert.equal(norm('registry.example.com/a/b/c'), 'registry.example.com/a/b/c:latest');
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.equal(norm(`busybox@${digest}`), `docker.io/library/busybox@${digest}`);
    assert.equal(norm(`busybox:1@${digest}`), `docker.io/library/busybox:1@${digest}`);
    assert.deepEqual(parseReference('busybox', { defaultTag: null }), {
      domain: 'docker.io',
      path: 'library/busybox',
      tag: undefined,
      digest: undefined,
    });
  });

  it('prints the familiar form', () => {
    assert.equal(
      familiarString(parseReference('docker.io/library/busybox:latest')),
      'busybox:latest',
    );
    assert.equal(familiarString(parseReference('docker.io/me/app:1')), 'me/app:1');
    assert.equal(familiarString(parseReference('127.0.0.1:5000/x:y')), '127.0.0.1:5000/x:y');
  });

  it('refuses what the grammar refuses, with Docker wording', () => {
    const refused = (text: string, message: RegExp): void => {
      assert.throws(
        () => parseReference(text),
        (err: unknown) => isBerthError(err, 'invalid-argument') && message.test(err.message),
        text,
      );
    };
    refused(
      'Busybox',
      /repository name \(library\/Busybox\) must be lowercase|invalid reference format/,
    );
    refused('UPPER/Case', /invalid reference format/);
    refused('', /invalid reference format/);
    refused('a b', /invalid reference format/);
    refused('busybox:', /invalid reference format/);
    refused('busybox:bad/tag', /invalid reference format/);
    refused('-lead', /invalid reference format/);
    refused('busybox@sha256:short', /invalid reference format/);
    refused('a'.repeat(64), /64-byte hexadecimal/);
    refused(`x/${'a'.repeat(260)}`, /not be more than 255 characters/);
  });

  it('recognises full image IDs', () => {
    assert.equal(isFullImageId('a'.repeat(64)), true);
    assert.equal(isFullImageId(`sha256:${'a'.repeat(64)}`), true);
    assert.equal(isFullImageId('a'.repeat(12)), false);
  });
});
