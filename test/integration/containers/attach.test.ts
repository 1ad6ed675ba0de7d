// Interactive containers through the real Docker CLI: stdin with -i (and its close), a terminal
// with -it (window size, exit code), docker attach with detach keys, and resize errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiRequest } from '../../helpers/api.js';
import { docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { inTerminal } from '../../helpers/terminal.js';

describe('attach with stdin and terminals', () => {
  let d: TestDaemon;
  let env: NodeJS.ProcessEnv;
  const dk = (args: string[], input?: string): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) });
  const status = async (name: string): Promise<string> =>
    (await dk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', name])).stdout.trim();
  before(async () => {
    d = await startDaemon();
    env = { ...process.env, DOCKER_HOST: d.host };
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    await d?.cleanup();
  });

  it('docker run -i passes stdin and closes it at its end', async () => {
    const r = await dk(['run', '--rm', '-i', 'busybox', 'cat'], 'hello\nworld\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\nworld\n');
    const counted = await dk(
      ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'wc -l; echo err >&2; exit 5'],
      'a\nb\n',
    );
    assert.equal(counted.code, 5);
    assert.equal(counted.stdout.trim(), '2');
    assert.equal(counted.stderr, 'err\n');
    // Output written just before an exit that leaves most of the input unread still arrives
    // (conmon resets its attach socket then, dropping what it queued there; the log has it).
    for (let i = 0; i < 5; i++) {
      const partial = await dk(
        ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'head -c 5; echo; seq 1 2000'],
        'y'.repeat(4e6),
      );
      assert.equal(partial.code, 0, partial.stderr);
      assert.equal(
        partial.stdout,
        `yyyyy\n${Array.from({ length: 2000 }, (_, n) => n + 1).join('\n')}\n`,
      );
    }
  });

  it('docker run -it gives a terminal of the client size and passes the exit code', async () => {
    const r = await inTerminal(
      'docker run --rm -it busybox sh',
      [{ after: '# ', send: 'tty; stty size; exit 3\r' }],
      { env, rows: 27, cols: 91 },
    );
    assert.equal(r.code, 3, r.stdout);
    assert.match(r.stdout, /\/dev\/pts\/0\r\n/);
    assert.match(r.stdout, /27 91\r\n/);
  });

  it('docker attach to a -dit container: detach keys leave it running; exit ends it', async () => {
    assert.equal((await dk(['run', '-dit', '--name', 'shell', 'busybox', 'sh'])).code, 0);
    const detached = await inTerminal(
      'docker attach shell',
      [
        { after: '', send: 'echo one-$((40+2))\r' },
        { after: 'one-42', send: '\x10\x11' },
      ],
      { env },
    );
    assert.match(detached.stdout, /one-42/);
    assert.match(detached.stdout, /read escape sequence/);
    assert.equal(await status('shell'), 'running 0');
    const ended = await inTerminal('docker attach shell', [{ after: '', send: 'exit 9\r' }], {
      env,
    });
    assert.equal(ended.code, 9, ended.stdout);
    await waitFor('the container to exit', async () => (await status('shell')) === 'exited 9');
  });

  it('stdin of docker start -ai reaches a created -i container', async () => {
    assert.equal((await dk(['create', '-i', '--name', 'reader', 'busybox', 'rev'])).code, 0);
    const r = await dk(['start', '-ai', 'reader'], 'olleh\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
  });

  it('resize: 409 for a stopped container, 400 for a bad size, 404 for none', async () => {
    assert.equal((await dk(['create', '--name', 'still', 'busybox', 'true'])).code, 0);
    assert.equal(
      (await apiRequest(d.socket, 'POST', '/containers/still/resize?h=10&w=10')).status,
      409,
    );
    assert.equal(
      (await apiRequest(d.socket, 'POST', '/containers/still/resize?h=-1&w=10')).status,
      400,
    );
    assert.equal(
      (await apiRequest(d.socket, 'POST', '/containers/nosuch/resize?h=1&w=1')).status,
      404,
    );
  });
});
