import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { runToCompletion, startForkServer, stopForkServer } from './run-to-completion.js';

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
  });
}
