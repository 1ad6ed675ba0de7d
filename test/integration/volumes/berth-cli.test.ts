// berth's own volume commands and run/create volume flags, with what a Docker user sees: the
// same output and exit codes as `docker volume ...` and `docker run -v/--mount/--volumes-from`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berth, docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

describe('berth volume commands', () => {
  let d: TestDaemon;
  let env: NodeJS.ProcessEnv;
  let hostDir: string;
  const b = (args: string[]): ReturnType<typeof berth> => berth(args, { env, timeoutMs: 60_000 });
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 60_000 });
  /** berth and docker print the same for the same command. */
  const same = async (args: string[]): Promise<string> => {
    const [ours, theirs] = [await b(args), await dk(args)];
    assert.equal(ours.code, theirs.code, `${args.join(' ')}: ${ours.stderr} / ${theirs.stderr}`);
    assert.equal(ours.stdout, theirs.stdout, args.join(' '));
    return ours.stdout;
  };

  before(async () => {
    d = await startDaemon();
    env = { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: 'unix:///nonexistent.sock' };
    hostDir = mkdtempSync(join(tmpdir(), 'berth-vol-cli-'));
    assert.equal((await b(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    try {
      const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await dk(['rm', '-f', '-v', ...ids]);
    } finally {
      const root = d.dataRoot;
      await d.cleanup();
      rmSync(hostDir, { recursive: true, force: true });
      assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(root), false);
    }
  });

  it('create, ls, inspect and rm print what docker prints', async () => {
    const r = await b([
      'volume',
      'create',
      '--label',
      'k=v',
      '-o',
      'type=tmpfs',
      '-o',
      'device=tmpfs',
      'cli-vol',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'cli-vol\n');
    assert.equal(await same(['volume', 'ls']), 'DRIVER    VOLUME NAME\nlocal     cli-vol\n');
    await same(['volume', 'ls', '-q', '--filter', 'label=k=v']);
    await same(['volume', 'inspect', 'cli-vol']);
    await same(['volume', 'inspect', '--format', '{{.Mountpoint}} {{.Options.type}}', 'cli-vol']);
    const missing = await b(['volume', 'inspect', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: get nosuch: no such volume\n');
    const bad = await b(['volume', 'create', 'a/b']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /create a\/b: "a\/b" includes invalid characters/);
    const rm = await b(['volume', 'rm', 'cli-vol', 'nosuch']);
    assert.equal(rm.code, 1);
    assert.equal(rm.stdout, 'cli-vol\n');
    assert.equal(rm.stderr, 'Error response from daemon: get nosuch: no such volume\n');
  });

  it('run -v, --mount and --volumes-from; rm -v; prune -f', async () => {
    const w = await b([
      'run',
      '--rm',
      '-v',
      'cli-data:/d',
      '-v',
      `${hostDir}:/h:ro`,
      'busybox',
      'sh',
      '-c',
      'echo kept > /d/f; cat /proc/mounts | grep -c " /h .*ro,"',
    ]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, '1\n');
    const r = await b([
      'run',
      '--rm',
      '--mount',
      'type=volume,src=cli-data,dst=/x,readonly',
      'busybox',
      'cat',
      '/x/f',
    ]);
    assert.equal(r.stdout, 'kept\n', r.stderr);
    const c = await b([
      'create',
      '--name',
      'cli-src',
      '-v',
      '/anon',
      '-v',
      'cli-data:/d',
      'busybox',
    ]);
    assert.equal(c.code, 0, c.stderr);
    const f = await b(['run', '--rm', '--volumes-from', 'cli-src', 'busybox', 'cat', '/d/f']);
    assert.equal(f.stdout, 'kept\n', f.stderr);
    const mounts = JSON.parse(
      (await b(['inspect', '-f', '{{json .Mounts}}', 'cli-src'])).stdout,
    ) as { Name: string; Destination: string }[];
    const anon = mounts.find((m) => m.Destination === '/anon')?.Name ?? '';
    assert.match(anon, /^[0-9a-f]{64}$/);
    const badMount = await b([
      'run',
      '--rm',
      '--mount',
      'type=volume,dst=/x,colour=red',
      'busybox',
      'true',
    ]);
    assert.equal(badMount.code, 125);
    assert.match(badMount.stderr, /unexpected key 'colour' in 'colour=red'/);
    assert.equal((await b(['rm', '-v', 'cli-src'])).code, 0);
    assert.equal((await b(['volume', 'inspect', anon])).code, 1, 'rm -v took the anonymous volume');
    const volumesLine = (out: string): string[] | undefined =>
      out
        .split('\n')
        .find((l) => l.startsWith('Local Volumes'))
        ?.split(/\s{2,}/);
    const ours = volumesLine((await b(['system', 'df'])).stdout);
    assert.deepEqual(ours, ['Local Volumes', '1', '0', '5B', '5B (100%)']);
    assert.deepEqual(ours, volumesLine((await dk(['system', 'df'])).stdout));
    const pruned = await b(['volume', 'prune', '-f']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^Deleted Volumes:\ncli-data\n\nTotal reclaimed space: 5B\n$/);
  });
});
