import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { releaseExecFifo } from './exec-fifo.js';

describe('releaseExecFifo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-fifo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = (name: string): string => {
    const path = join(dir, name);
    execFileSync('mkfifo', [path]);
    return path;
  };

  it('says there is no fifo, for the runtime to start the container itself', async () => {
    assert.equal(
      await releaseExecFifo(join(dir, 'none'), { timeoutMs: 1000, alive: () => true }),
      'no-fifo',
    );
  });

  it('takes the byte a waiting writer writes, and removes the fifo', async () => {
    const path = fifo('exec.fifo');
    // As runc init: a blocking open for writing, one byte, then on with its life.
    const writer = spawn('sh', ['-c', `printf 0 > ${path}; echo released`]);
    let out = '';
    writer.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => writer.on('close', resolve));
    assert.equal(await releaseExecFifo(path, { timeoutMs: 10_000, alive: () => true }), 'started');
    await exited;
    assert.equal(out, 'released\n');
    assert.equal(existsSync(path), false);
  });

  it('gives up when the process is gone, or after the timeout', async () => {
    const path = fifo('dead.fifo');
    await assert.rejects(releaseExecFifo(path, { timeoutMs: 10_000, alive: () => false }), {
      message: 'the container process exited before it was started',
    });
    await assert.rejects(releaseExecFifo(path, { timeoutMs: 30, alive: () => true }), {
      message: 'the container process did not start within 30 ms',
    });
    assert.equal(existsSync(path), true, 'a start that failed leaves the fifo');
  });
});
