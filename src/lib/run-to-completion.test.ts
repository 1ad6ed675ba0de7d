import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  MNT_DETACH,
  mountByServer,
  runToCompletion,
  startForkServer,
  stopForkServer,
  umountByServer,
} from './run-to-completion.js';

const PYTHON = '/usr/bin/python3';

for (const mode of ['spawned directly', 'through the fork server'] as const) {
  describe(`runToCompletion, ${mode}`, { skip: !existsSync(PYTHON) && 'no python3' }, () => {
    before(() => {
      if (mode === 'through the fork server') startForkServer(PYTHON);
    });
    after(() => stopForkServer());

    it('passes output, exit codes, stdin, cwd and env', async () => {
      const ok = await runToCompletion('sh', ['-c', 'echo out; echo err >&2; pwd; echo $X'], {
        timeoutMs: 10_000,
        cwd: '/tmp',
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', X: 'from-env' },
      });
      assert.deepEqual(ok, {
        code: 0,
        signal: null,
        stdout: 'out\n/tmp\nfrom-env\n',
        stderr: 'err\n',
        timedOut: false,
        aborted: false,
      });
      const failed = await runToCompletion('sh', ['-c', 'exit 7'], { timeoutMs: 10_000 });
      assert.equal(failed.code, 7);
      const fed = await runToCompletion('cat', [], { timeoutMs: 10_000, input: 'in\n' });
      assert.equal(fed.stdout, 'in\n');
    });

    it('reports a signal, a timeout and an abort', async () => {
      const killed = await runToCompletion('sh', ['-c', 'kill -TERM $$'], { timeoutMs: 10_000 });
      assert.deepEqual([killed.code, killed.signal], [null, 'SIGTERM']);
      const slow = await runToCompletion('sleep', ['10'], { timeoutMs: 100 });
      assert.deepEqual([slow.timedOut, slow.signal], [true, 'SIGKILL']);
      const controller = new AbortController();
      const pending = runToCompletion('sleep', ['10'], {
        timeoutMs: 10_000,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      const stopped = await pending;
      assert.deepEqual([stopped.aborted, stopped.signal], [true, 'SIGKILL']);
    });

    it('rejects a program that does not exist, and keeps output bounded', async () => {
      await assert.rejects(runToCompletion('/nonexistent/tool', [], { timeoutMs: 10_000 }), {
        code: 'ENOENT',
      });
      const long = await runToCompletion('sh', ['-c', 'yes | head -c 100000'], {
        timeoutMs: 10_000,
        outputLimit: 1000,
      });
      assert.equal(long.stdout.length, 1000);
    });

    it('runs many at once', async () => {
      const all = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          runToCompletion('sh', ['-c', `sleep 0.05; echo ${i}`], { timeoutMs: 10_000 }),
        ),
      );
      assert.deepEqual(
        all.map((r) => r.stdout),
        Array.from({ length: 20 }, (_, i) => `${i}\n`),
      );
    });

    it('hands a sync pipe over, and reads its first line after the program exited', async () => {
      const sync = { env: 'SYNC_FD' };
      // As conmon: the program forks a monitor with its stdio let go, which writes later.
      const started = Date.now();
      const late = await runToCompletion(
        'sh',
        [
          '-c',
          '(sleep 0.3; echo \'{"data": 42}\' >&$SYNC_FD; echo more >&$SYNC_FD) >/dev/null 2>&1 & echo forked',
        ],
        { timeoutMs: 10_000, syncPipe: sync },
      );
      assert.equal(late.sync, '{"data": 42}');
      assert.equal(late.stdout, 'forked\n');
      assert.equal(late.code, 0);
      assert.ok(Date.now() - started >= 300);
      const none = await runToCompletion('sh', ['-c', 'printf "no newline" >&$SYNC_FD; exit 3'], {
        timeoutMs: 10_000,
        syncPipe: sync,
      });
      assert.deepEqual([none.code, none.sync, none.timedOut], [3, undefined, false]);
    });

    it('gives up on a sync line that does not come within the time limit', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-sync-'));
      try {
        const silent = await runToCompletion(
          'sh',
          ['-c', `(exec sleep 10) >/dev/null 2>&1 & echo $! > ${dir}/pid`],
          { timeoutMs: 300, syncPipe: { env: 'SYNC_FD' } },
        );
        assert.deepEqual([silent.timedOut, silent.sync], [true, undefined]);
      } finally {
        await waitForFile(join(dir, 'pid'));
        const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
        if (pid > 0) process.kill(pid, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('starts a program in a session of its own when asked', async () => {
      const own = await runToCompletion('sh', ['-c', 'echo $$; cut -d" " -f6 /proc/$$/stat'], {
        timeoutMs: 10_000,
        newSession: true,
      });
      const [pid, session] = own.stdout.trim().split('\n');
      assert.equal(session, pid);
      const shared = await runToCompletion('sh', ['-c', 'echo $$; cut -d" " -f6 /proc/$$/stat'], {
        timeoutMs: 10_000,
      });
      const [pid2, session2] = shared.stdout.trim().split('\n');
      assert.notEqual(session2, pid2);
    });
  });
}

describe(
  'mount(2) and umount2(2) through the fork server',
  { skip: (process.getuid?.() !== 0 || !existsSync(PYTHON)) && 'needs root and python3' },
  () => {
    it('mounts, reports the errno of a failure, unmounts; leaves it to mount(8) without a server', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-mount-'));
      const mounted = (): boolean =>
        readFileSync('/proc/self/mountinfo', 'utf8')
          .split('\n')
          .some((line) => line.split(' ')[4] === dir);
      assert.equal(mountByServer({ source: 'x', target: dir, fstype: 'tmpfs' }, 1000), undefined);
      startForkServer(PYTHON);
      try {
        const ok = await mountByServer(
          { source: 'berth-test', target: dir, fstype: 'tmpfs', data: 'size=1m' },
          10_000,
        );
        assert.deepEqual(ok, { errno: 0, message: '' });
        assert.equal(mounted(), true);
        const bad = await mountByServer({ source: 'x', target: dir, fstype: 'no-such-fs' }, 10_000);
        assert.deepEqual(bad, { errno: 19, message: 'No such device' });
        assert.deepEqual(await umountByServer(dir, MNT_DETACH, 10_000), { errno: 0, message: '' });
        assert.equal(mounted(), false);
        assert.equal((await umountByServer(dir, 0, 10_000))?.errno, 22);
      } finally {
        stopForkServer();
        if (mounted()) execFileSync('umount', ['-l', dir]);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
}
