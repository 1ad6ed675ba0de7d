// A stop or removal that lands while the restart policy is starting the container again: the
// start is let finish, then undone, so nothing of it is left to nobody (cgroups, namespace,
// mount, monitor). runc is slowed at `create` by a wrapper that says when it was called.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

const CREATE_DELAY_S = 0.6;

describe('stop and rm -f during a restart by policy', () => {
  let d: TestDaemon;
  const wrapperDir = mkdtempSync(join(tmpdir(), 'berth-slow-runc-'));
  const creates = join(wrapperDir, 'creates');
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 30_000 });
  const ok = async (args: string[]): Promise<string> => {
    const r = await dk(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const createCalls = (): number =>
    existsSync(creates) ? readFileSync(creates, 'utf8').split('\n').filter(Boolean).length : 0;

  before(async () => {
    writeFileSync(
      join(wrapperDir, 'runc'),
      [
        '#!/bin/sh',
        'for arg in "$@"; do',
        `  if [ "$arg" = create ]; then echo create >> ${creates}; sleep ${CREATE_DELAY_S}; break; fi`,
        'done',
        'exec /usr/sbin/runc "$@"',
        '',
      ].join('\n'),
    );
    chmodSync(join(wrapperDir, 'runc'), 0o755);
    d = await startDaemon({ env: { PATH: `${wrapperDir}:${process.env['PATH'] ?? ''}` } });
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    await d?.cleanup();
    await rm(wrapperDir, { recursive: true, force: true });
  });

  /** Runs `name` with --restart always; resolves while the policy's first restart is in runc create. */
  const inPolicyStart = async (name: string): Promise<string> => {
    const before = createCalls();
    const id = await ok(['run', '-d', '--name', name, '--restart', 'always', 'busybox', 'true']);
    // The run's own create, then the policy's: the wrapper is now sleeping in the second.
    await waitFor(`${name}'s restart by policy`, async () => createCalls() >= before + 2, 15_000);
    assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', name]), 'restarting');
    return id;
  };

  const leftoversOf = (id: string): string[] =>
    [
      `/sys/fs/cgroup/memory/berth/${id}`,
      `/sys/fs/cgroup/pids/berth/${id}`,
      `/sys/fs/cgroup/unified/berth/${id}`,
      join(d.execRoot, 'netns', id),
      join(d.execRoot, 'runc', id),
    ].filter((p) => existsSync(p));

  it('rm -f removes the container and everything its restart made', async () => {
    const id = await inPolicyStart('flapping');
    await ok(['rm', '-f', 'flapping']);
    assert.equal(await ok(['ps', '-aq', '--filter', 'name=flapping']), '');
    assert.deepEqual(leftoversOf(id), []);
    assert.equal(
      readFileSync('/proc/mounts', 'utf8').includes(id),
      false,
      'no mount of the container stays',
    );
  });

  it('stop leaves it exited, not running, and a later start works', async () => {
    const id = await inPolicyStart('halting');
    await ok(['stop', '-t', '1', 'halting']);
    assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', 'halting']), 'exited');
    // Longer than a back-off: the stopped container stays stopped.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', 'halting']), 'exited');
    assert.deepEqual(leftoversOf(id), []);
    await ok(['rm', 'halting']);
  });
});
