import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { KeyedLock } from './keyed-lock.js';
import { MountRefs } from './mount-refs.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLock', () => {
  it('runs the work of one key one at a time, in order', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([lock.run('k', job('a')), lock.run('k', job('b'))]);
    assert.deepEqual(results, ['a', 'b']);
    assert.deepEqual(log, ['a start', 'a end', 'b start', 'b end']);
    assert.equal(lock.size, 0);
  });

  it('runs different keys concurrently', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    await Promise.all([lock.run('x', job('x')), lock.run('y', job('y'))]);
    assert.deepEqual(log, ['x start', 'y start', 'x end', 'y end']);
  });

  it('goes on after a failure', async () => {
    const lock = new KeyedLock();
    const failed = lock.run('k', () => Promise.reject(new Error('boom')));
    const next = lock.run('k', () => Promise.resolve(2));
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 2);
    assert.equal(lock.size, 0);
  });
});

describe('MountRefs', () => {
  it('mounts once for concurrent callers and unmounts at the last unmount', async () => {
    const refs = new MountRefs();
    let mounts = 0;
    let unmounts = 0;
    const realMount = async (): Promise<string> => {
      await tick();
      mounts++;
      return '/m';
    };
    const paths = await Promise.all([refs.mount('a', realMount), refs.mount('a', realMount)]);
    assert.deepEqual(paths, ['/m', '/m']);
    assert.equal(mounts, 1);
    assert.equal(refs.count('a'), 2);
    const realUnmount = (): Promise<void> => {
      unmounts++;
      return Promise.resolve();
    };
    await refs.unmount('a', realUnmount);
    assert.equal(unmounts, 0);
    assert.equal(refs.count('a'), 1);
    await refs.unmount('a', realUnmount);
    assert.equal(unmounts, 1);
    assert.equal(refs.count('a'), 0);
    await refs.unmount('a', realUnmount);
    assert.equal(unmounts, 1, 'unmounting what is not mounted does nothing');
  });

  it('counts nothing when the real mount fails', async () => {
    const refs = new MountRefs();
    await assert.rejects(
      refs.mount('a', () => Promise.reject(new Error('no'))),
      /no/,
    );
    assert.equal(refs.count('a'), 0);
  });

  it('keeps the mount counted when the real unmount fails', async () => {
    const refs = new MountRefs();
    await refs.mount('a', () => Promise.resolve('/m'));
    await assert.rejects(
      refs.unmount('a', () => Promise.reject(new Error('busy'))),
      /busy/,
    );
    assert.equal(refs.count('a'), 1);
  });

  it('refuses work that needs the layer unmounted, with a conflict', async () => {
    const refs = new MountRefs();
    await refs.mount('a', () => Promise.resolve('/m'));
    await assert.rejects(
      refs.whenUnmounted('a', () => Promise.resolve()),
      (err: unknown) => isBerthError(err, 'conflict'),
    );
    assert.equal(await refs.whenUnmounted('b', () => Promise.resolve(1)), 1);
  });

  it('unmounts everything, tries all and reports failures', async () => {
    const refs = new MountRefs();
    await refs.mount('a', () => Promise.resolve('/a'));
    await refs.mount('a', () => Promise.resolve('/a'));
    await refs.mount('b', () => Promise.resolve('/b'));
    await refs.mount('c', () => Promise.resolve('/c'));
    const seen: string[] = [];
    await assert.rejects(
      refs.unmountAll((id, path) => {
        seen.push(`${id}:${path}`);
        return id === 'b' ? Promise.reject(new Error('busy b')) : Promise.resolve();
      }),
      /busy b/,
    );
    assert.deepEqual(seen, ['a:/a', 'b:/b', 'c:/c']);
    assert.deepEqual(refs.mounted, ['b']);
  });
});
