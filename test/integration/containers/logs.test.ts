// Container logs with rotation (--log-opt max-size/max-file, rotated by default), the none
// driver, and the daemon's --log-opt defaults, through the real Docker CLI.
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

/** A shell loop printing line-0 … line-(count-1), pausing 1 ms after every `burst` lines. */
function writer(count: number, burst: number, then = ''): string[] {
  return [
    'sh',
    '-c',
    `i=0; while [ $i -lt ${count} ]; do echo line-$i; i=$((i+1)); ` +
      `[ $((i % ${burst})) -eq 0 ] && usleep 1000; done; ${then}`,
  ];
}

/** The numbers of `line-N` lines, checked to be consecutive. */
function consecutive(output: string): number[] {
  const numbers = output
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^line-(\d+)$/.exec(l);
      assert.ok(m, `unexpected log line ${JSON.stringify(l)}`);
      return Number(m[1]);
    });
  numbers.forEach((n, i) => {
    if (i > 0) assert.equal(n, (numbers[i - 1] as number) + 1, 'a gap in the log');
  });
  return numbers;
}

describe('container logs and their rotation', () => {
  let d: TestDaemon;
  let dir = '';
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 60_000 });
  const idOf = async (name: string): Promise<string> =>
    (await dk(['inspect', '-f', '{{.Id}}', name])).stdout.trim();
  const logFiles = async (name: string): Promise<string[]> =>
    (await readdir(join(d.dataRoot, 'containers', await idOf(name))))
      .filter((f) => f.startsWith('container.log'))
      .sort();
  const waitExited = (name: string): Promise<void> =>
    waitFor(
      `${name} to exit`,
      async () =>
        (await dk(['inspect', '-f', '{{.State.Status}}', name])).stdout.trim() === 'exited',
      60_000,
      100,
    );

  before(async () => {
    d = await startDaemon({ args: ['--log-opt', 'max-file=4'] });
    dir = d.dir;
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    const removed = ids.length > 0 ? await dk(['rm', '-f', ...ids]) : undefined;
    await d?.cleanup();
    await rm(dir, { recursive: true, force: true });
    assert.equal(removed?.code ?? 0, 0, removed?.stderr);
  });

  it('holds back a line still being written while the container runs, as Docker does', async () => {
    const r = await dk([
      'run',
      '-d',
      '--name',
      'prompt',
      'busybox',
      'sh',
      '-c',
      'echo one; printf "tw"; sleep 0.3; printf "o\\nthr"; sleep 0.5; printf "ee"; sleep 1000',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(
      'three lines logged',
      async () => (await dk(['logs', 'prompt'])).stdout === 'one\ntwo\n',
      10_000,
      100,
    );
    await new Promise((done) => setTimeout(done, 800)); // "ee" written too, still no newline
    assert.equal((await dk(['logs', 'prompt'])).stdout, 'one\ntwo\n');
    // Tail counts lines, not the runtime's pieces of them.
    assert.equal((await dk(['logs', '--tail', '1', 'prompt'])).stdout, 'two\n');
    assert.equal((await dk(['logs', '--details', '--tail', '1', 'prompt'])).stdout, ' two\n');
    assert.equal((await dk(['kill', 'prompt'])).code, 0);
    await waitExited('prompt');
    // Once the container has exited, the unfinished line is shown.
    assert.equal((await dk(['logs', 'prompt'])).stdout, 'one\ntwo\nthree');
    // LogPath names the file there is.
    const logPath = (await dk(['inspect', '-f', '{{.LogPath}}', 'prompt'])).stdout.trim();
    assert.match(await readFile(logPath, 'utf8'), /stdout F one\n/);
  });

  it('rotates at max-size, keeps max-file files, and logs reads them in order', async () => {
    const r = await dk([
      'run',
      '-d',
      '--name',
      'chatty',
      '--log-opt',
      'max-size=8k',
      '--log-opt',
      'max-file=3',
      'busybox',
      ...writer(3000, 20),
    ]);
    assert.equal(r.code, 0, r.stderr);
    await waitExited('chatty');
    assert.deepEqual(await logFiles('chatty'), [
      'container.log',
      'container.log.1',
      'container.log.2',
    ]);
    const id = await idOf('chatty');
    for (const f of ['container.log.1', 'container.log.2']) {
      const { size } = await stat(join(d.dataRoot, 'containers', id, f));
      // Rotated once it reached 8 KiB; what the container wrote before the rotator saw it
      // may come on top, never the 130 KiB the container wrote in all.
      assert.ok(size >= 8 * 1024 && size < 64 * 1024, `${f} is ${size} bytes`);
    }
    const logs = await dk(['logs', 'chatty']);
    assert.equal(logs.code, 0, logs.stderr);
    const numbers = consecutive(logs.stdout);
    assert.equal(numbers.at(-1), 2999, 'the newest line is last');
    assert.ok((numbers[0] as number) > 0, 'the oldest lines were rotated away');
    const tail = await dk(['logs', '--tail', '5', 'chatty']);
    assert.deepEqual(consecutive(tail.stdout), [2995, 2996, 2997, 2998, 2999]);
    const inspect = await dk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'chatty']);
    assert.deepEqual(JSON.parse(inspect.stdout), {
      Type: 'json-file',
      Config: { 'max-size': '8k', 'max-file': '3' },
    });
  });

  it('logs -f follows through rotations without losing a line', async () => {
    const r = await dk([
      'run',
      '-d',
      '--name',
      'follow',
      '--log-opt',
      'max-size=2k',
      '--log-opt',
      'max-file=2',
      'busybox',
      ...writer(600, 5, 'sleep 1'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const followed = await dk(['logs', '-f', 'follow']);
    assert.equal(followed.code, 0, followed.stderr);
    const numbers = consecutive(followed.stdout);
    assert.equal(numbers.at(-1), 599);
    // It started while the first lines were still there only if the container was slow to
    // start writing; either way nothing after its first line is missing.
    assert.ok(numbers.length > 100, `followed ${numbers.length} lines`);
    const kept = consecutive((await dk(['logs', 'follow'])).stdout);
    assert.ok(kept.length < 200, `kept ${kept.length} lines in 2 files of 2 KiB`);
  });

  it("rotates by default with the daemon's --log-opt, shown in inspect", async () => {
    assert.equal((await dk(['create', '--name', 'plain', 'busybox', 'true'])).code, 0);
    const inspect = await dk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'plain']);
    assert.deepEqual(JSON.parse(inspect.stdout), {
      Type: 'json-file',
      Config: { 'max-file': '4' },
    });
  });

  it('the none driver keeps no readable log, but attach still gets the output', async () => {
    const run = await dk([
      'run',
      '--name',
      'quiet',
      '--log-driver',
      'none',
      'busybox',
      'echo',
      'hi',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hi\n');
    const logs = await dk(['logs', 'quiet']);
    assert.equal(logs.code, 1);
    assert.match(logs.stderr, /configured logging driver does not support reading/);
    assert.equal((await dk(['inspect', '-f', '{{.LogPath}}', 'quiet'])).stdout, '\n');
  });

  it("refuses bad log options with Docker's messages, creating nothing", async () => {
    const before = (await dk(['ps', '-aq'])).stdout;
    const cases: [string[], RegExp][] = [
      [['--log-opt', 'max-size=lots'], /invalid size: 'lots'/],
      [['--log-opt', 'max-size=0'], /max-size must be a positive number/],
      [['--log-opt', 'max-file=0'], /max-file cannot be less than 1/],
      [['--log-opt', 'colour=blue'], /unknown log opt 'colour' for json-file log driver/],
      [['--log-driver', 'carrier-pigeon'], /no log driver named 'carrier-pigeon' is registered/],
      [
        ['--log-driver', 'none', '--log-opt', 'max-size=1m'],
        /invalid logging opts for driver none/,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = await dk(['run', '--rm', ...flags, 'busybox', 'true']);
      assert.equal(r.code, 125, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal((await dk(['ps', '-aq'])).stdout, before);
  });

  it('keeps rotating a container found running after the daemon was killed', async () => {
    const r = await dk([
      'run',
      '-d',
      '--name',
      'survivor',
      '--log-opt',
      'max-size=4k',
      '--log-opt',
      'max-file=2',
      'busybox',
      'sh',
      '-c',
      'sleep 4; ' + writer(1500, 10)[2],
    ]);
    assert.equal(r.code, 0, r.stderr);
    d.process.kill('SIGKILL');
    await d.exited;
    d = await startDaemon({ reuseDir: dir });
    await waitExited('survivor');
    assert.deepEqual(await logFiles('survivor'), ['container.log', 'container.log.1']);
    const numbers = consecutive((await dk(['logs', 'survivor'])).stdout);
    assert.equal(numbers.at(-1), 1499);
    assert.ok(numbers.length < 400, `kept ${numbers.length} lines in 2 files of 4 KiB`);
  });
});
