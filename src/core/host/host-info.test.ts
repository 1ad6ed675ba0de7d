import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroups, parseOsRelease } from './host-info.js';

describe('parseOsRelease', () => {
  it('reads keys, strips double and single quotes, skips comments and junk', () => {
    const text = [
      '# a comment',
      'NAME="Debian GNU/Linux"',
      "PRETTY_NAME='Debian 12 (bookworm)'",
      'VERSION_ID=12',
      'ID=debian',
      '',
      'lowercase=ignored',
      '  HOME_URL="https://www.debian.org/"  ',
      'EMPTY=',
    ].join('\n');
    assert.deepEqual(parseOsRelease(text), {
      NAME: 'Debian GNU/Linux',
      PRETTY_NAME: 'Debian 12 (bookworm)',
      VERSION_ID: '12',
      ID: 'debian',
      HOME_URL: 'https://www.debian.org/',
      EMPTY: '',
    });
  });

  it('keeps a value with an unbalanced quote as it is', () => {
    assert.deepEqual(parseOsRelease('NAME="half'), { NAME: '"half' });
  });

  it('returns an empty object for empty text', () => {
    assert.deepEqual(parseOsRelease(''), {});
  });
});

describe('detectCgroups', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'berth-cgroup-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('reports v2 when cgroup.controllers exists', () => {
    writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
    assert.deepEqual(detectCgroups(root), { version: '2', hybrid: false });
  });

  it('reports v1 hybrid when a unified directory exists', () => {
    mkdirSync(join(root, 'unified'));
    mkdirSync(join(root, 'memory'));
    assert.deepEqual(detectCgroups(root), { version: '1', hybrid: true });
  });

  it('reports plain v1 otherwise', () => {
    mkdirSync(join(root, 'memory'));
    assert.deepEqual(detectCgroups(root), { version: '1', hybrid: false });
  });
});
