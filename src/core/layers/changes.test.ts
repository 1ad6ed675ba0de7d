// The change walks on plain directory trees (no root: whiteouts and opaque directories, which
// need mknod and trusted xattrs, are covered by the storage driver conformance suite).

import assert from 'node:assert/strict';
import { appendFile, chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { directoryChanges, overlayChanges, type FileChange } from './changes.js';

const lines = (changes: readonly FileChange[]): string[] =>
  changes.map((c) => `${{ modified: 'C', added: 'A', deleted: 'D' }[c.kind]} ${c.path}`);

const T1 = new Date('2020-01-02T03:04:05Z');
const T2 = new Date('2021-01-02T03:04:05Z');

/** Writes files (content) and dirs (`name/`) under root, every entry with mtime T1. */
async function tree(root: string, entries: readonly string[]): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const entry of entries) {
    if (entry.endsWith('/')) await mkdir(join(root, entry), { recursive: true });
    else await writeFile(join(root, entry), entry);
  }
  for (const entry of [...entries].reverse()) await utimes(join(root, entry), T1, T1);
}

describe('directoryChanges (vfs)', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-changes-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('lists additions, deletions and modifications, each changed directory first', async () => {
    const old = join(work, 'old1');
    const now = join(work, 'new1');
    const common = ['a', 'bin/', 'bin/cat', 'etc/', 'etc/group', 'keep/', 'keep/x'];
    await tree(old, [...common, 'bin/ls', 'etc/passwd', 't']);
    await tree(now, [...common, 'etc/passwd', 'added', 'newdir/', 'newdir/sub/', 'newdir/sub/f']);
    await appendFile(join(now, 'etc/passwd'), 'more');
    await mkdir(join(now, 't'));
    await writeFile(join(now, 't', 'inner'), 'inner');
    assert.deepEqual(lines(await directoryChanges({ layer: now, parent: old })), [
      'A /added',
      'C /bin',
      'D /bin/ls',
      'C /etc',
      'C /etc/passwd',
      'A /newdir',
      'A /newdir/sub',
      'A /newdir/sub/f',
      'C /t',
      'A /t/inner',
    ]);
  });

  it('compares files by mtime, size and mode, directories by mode only', async () => {
    const old = join(work, 'old2');
    const now = join(work, 'new2');
    await tree(old, ['d/', 'd/f', 'm', 's', 'time']);
    await tree(now, ['d/', 'd/f', 'm', 's', 'time']);
    await utimes(join(now, 'd'), T2, T2); // a directory's mtime is no change
    await utimes(join(now, 'time'), T2, T2);
    await chmod(join(now, 'm'), 0o600);
    await writeFile(join(now, 's'), 'ss');
    await utimes(join(now, 's'), T1, T1);
    assert.deepEqual(lines(await directoryChanges({ layer: now, parent: old })), [
      'C /m',
      'C /s',
      'C /time',
    ]);
  });

  it('lists everything as added without a parent, and nothing for an identical copy', async () => {
    const only = join(work, 'only');
    await tree(only, ['b/', 'b/c', 'a']);
    assert.deepEqual(lines(await directoryChanges({ layer: only, parent: undefined })), [
      'A /a',
      'A /b',
      'A /b/c',
    ]);
    assert.deepEqual(await directoryChanges({ layer: only, parent: only }), []);
  });
});

describe('overlayChanges (overlay2)', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-overlay-changes-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('looks each upper entry up in the lower dirs, nearest first', async () => {
    const lower1 = join(work, 'lower1');
    const lower2 = join(work, 'lower2');
    const upper = join(work, 'upper');
    await tree(lower2, ['etc/', 'etc/passwd', 'usr/', 'usr/a', 'var/', 'var/old']);
    await tree(lower1, ['only-in-lower1']);
    // Copied-up directories keep their attributes: /etc and /usr look as they do below.
    await tree(upper, ['etc/', 'etc/passwd', 'usr/', 'usr/b', 'var/', 'var/new', 'only-in-lower1']);
    await utimes(join(upper, 'var'), T2, T2); // /var itself changed
    assert.deepEqual(lines(await overlayChanges({ upper, lowers: [lower1, lower2] })), [
      'C /etc/passwd', // a modification does not list its unchanged directory
      'C /only-in-lower1',
      'C /usr', // an addition does
      'A /usr/b',
      'C /var',
      'A /var/new',
    ]);
  });

  it('lists everything as added for a base layer', async () => {
    const upper = join(work, 'base');
    await tree(upper, ['d/', 'd/f']);
    assert.deepEqual(lines(await overlayChanges({ upper, lowers: [] })), ['A /d', 'A /d/f']);
  });

  it('stops when its signal is aborted', async () => {
    const upper = join(work, 'aborted');
    await tree(upper, ['f']);
    await assert.rejects(
      overlayChanges({ upper, lowers: [], signal: AbortSignal.abort() }),
      (err: Error) => err.message === 'context canceled',
    );
  });
});
