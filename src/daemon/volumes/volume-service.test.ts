// The volume service without a daemon or root: records in a temporary SQLite file, volumes in a
// temporary directory (nothing is mounted: no container starts here).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { notFound, type BerthError } from '../../core/errors.js';
import type { NewEvent } from '../../core/events.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { VolumeRecords } from '../../core/state/volume-records.js';
import { createLogger } from '../../lib/logger.js';
import { VolumeService } from './volume-service.js';

const NONE = { volumes: [], binds: [], mounts: [], volumesFrom: [], tmpfs: [] };

describe('VolumeService', () => {
  let dir: string;
  let state: SqliteStateStore;
  let service: VolumeService;
  const events: NewEvent[] = [];
  const open = (): VolumeService =>
    new VolumeService({
      records: new VolumeRecords(state.database),
      root: join(dir, 'volumes'),
      events: {
        publish: (e) => {
          events.push(e);
          return { ...e, scope: 'local', timeNano: 0n };
        },
      },
      logger: createLogger('fatal'),
      resolveContainer: (ref) => {
        if (ref === 'c1' || ref === 'src') return { id: 'src' };
        throw notFound(`No such container: ${ref}`);
      },
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-volsvc-'));
    state = SqliteStateStore.open(join(dir, 'berth.db'));
    service = open();
    await service.init();
  });
  after(() => {
    state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('claims mounts in Docker order: volumes-from, binds, --mount, then Config.Volumes', async () => {
    await service.claim('src', { ...NONE, binds: ['shared:/s', '/host:/h:ro'] });
    const mounts = await service.claim('c2', {
      ...NONE,
      volumesFrom: ['c1:ro'],
      binds: ['/other:/h'],
      mounts: [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 4096 } }],
      volumes: ['/s', '/anon/'],
    });
    assert.deepEqual(
      mounts.map((m) => [m.destination, m.type, m.source || m.name, m.rw, m.mode]),
      [
        ['/anon', 'volume', join(dir, 'volumes', mounts[0]?.name ?? '', '_data'), true, ''],
        ['/h', 'bind', '/other', true, ''],
        ['/s', 'volume', join(dir, 'volumes', 'shared', '_data'), false, ''],
        ['/t', 'tmpfs', '', true, ''],
      ],
    );
    assert.deepEqual(service.users('shared').sort(), ['c2', 'src']);
    assert.equal(service.list(new Map([['dangling', ['true']]])).length, 0);
  });

  it('refuses duplicates and bad specs, leaving no volume it made behind', async () => {
    const before = service.list(new Map()).map((v) => v.name);
    await assert.rejects(
      service.claim('c3', { ...NONE, binds: ['fresh:/same', 'other:/same'] }),
      (err: BerthError) =>
        err.kind === 'invalid-argument' && /Duplicate mount point: \/same/.test(err.message),
    );
    await assert.rejects(
      service.claim('c3', { ...NONE, binds: ['fresh2:/a', 'bad/name:/b'] }),
      /create bad\/name: "bad\/name" includes invalid characters/,
    );
    await assert.rejects(
      service.claim('c3', { ...NONE, binds: ['/x:/tmpx'], tmpfs: ['/tmpx'] }),
      /Duplicate mount point: \/tmpx/,
    );
    await assert.rejects(
      service.claim('c3', { ...NONE, volumesFrom: ['nosuch'] }),
      (err: BerthError) =>
        err.kind === 'invalid-argument' && err.message === 'No such container: nosuch',
    );
    assert.deepEqual(
      service.list(new Map()).map((v) => v.name),
      before,
    );
    assert.deepEqual(service.mountsOf('c3'), []);
  });

  it('removes a volume only when no container refers to it, and anonymous ones with their container', async () => {
    await assert.rejects(
      service.remove('shared', { force: false }),
      (err: BerthError) =>
        err.kind === 'conflict' &&
        /^remove shared: volume is in use - \[(src, c2|c2, src)\]$/.test(err.message),
    );
    const anon = service.mountsOf('c2').find((m) => m.destination === '/anon')?.name ?? '';
    await service.unclaim('c2', { removeAnonymous: true });
    assert.equal(existsSync(join(dir, 'volumes', anon)), false);
    await service.unclaim('src', { removeAnonymous: false });
    assert.deepEqual(
      service.list(new Map([['dangling', ['1']]])).map((v) => v.name),
      ['shared'],
    );
    assert.throws(
      () => service.list(new Map([['dangling', ['maybe']]])),
      /invalid filter 'dangling=\[maybe\]'/,
    );
  });

  it('keeps volumes and mounts across a reopen, and drops the mounts of containers that are gone', async () => {
    await service.claim('keep', { ...NONE, binds: ['kept:/k'] });
    await service.claim('ghost', { ...NONE, binds: ['kept:/g'] });
    const again = open();
    assert.equal(again.inspect('kept').name, 'kept');
    assert.deepEqual(again.users('kept').sort(), ['ghost', 'keep']);
    again.forgetOrphans(new Set(['keep']));
    assert.deepEqual(again.users('kept'), ['keep']);
    assert.deepEqual(open().users('kept'), ['keep']);
  });

  it('prunes unused volumes (anonymous only when asked) and reports their size', async () => {
    const anon = await service.create({});
    assert.deepEqual(anon.labels, { 'com.docker.volume.anonymous': '' });
    const fresh = open();
    const onlyAnon = await fresh.prune(new Map(), { anonymousOnly: true });
    assert.deepEqual(onlyAnon.deleted, [anon.name]);
    const all = await fresh.prune(new Map([['all', ['true']]]), { anonymousOnly: true });
    assert.deepEqual(all.deleted, ['shared']);
    assert.deepEqual(
      fresh.list(new Map()).map((v) => v.name),
      ['kept'],
    );
    assert.ok(
      events.some((e) => e.type === 'volume' && e.action === 'destroy' && e.actor.id === 'shared'),
    );
  });
});
