import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandError, runCommand } from './run-command.js';

describe('runCommand', () => {
  it('resolves with stdout, in the given cwd', async () => {
    assert.equal(await runCommand('pwd', [], { cwd: '/', timeoutMs: 10_000 }), '/\n');
  });

  it('rejects with the exit code and stderr', async () => {
    await assert.rejects(
      runCommand('sh', ['-c', 'echo oops >&2; exit 3'], { timeoutMs: 10_000 }),
      (err: unknown) =>
        err instanceof CommandError &&
        err.exitCode === 3 &&
        err.stderr === 'oops\n' &&
        !err.timedOut &&
        err.message.includes('oops'),
    );
  });

  it('kills a command that runs too long', async () => {
    const started = Date.now();
    await assert.rejects(
      runCommand('sleep', ['10'], { timeoutMs: 100 }),
      (err: unknown) => err instanceof CommandError && err.timedOut,
    );
    assert.ok(Date.now() - started < 5_000);
  });
});
