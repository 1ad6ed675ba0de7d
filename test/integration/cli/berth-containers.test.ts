// berth's own container commands against a real daemon, with what a Docker user sees: stdin
// with -i, a terminal with -it (raw, sized, restored, detach keys), exec, attach, start -a -i,
// restart/pause/unpause/wait, inspect, rename, port, signal proxying, and the bad inputs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  BERTH_BIN,
  berth,
  docker,
  startDaemon,
  waitFor,
  type TestDaemon,
} from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { inTerminal, type TerminalStep } from '../../helpers/terminal.js';

const CTRL_P_CTRL_Q = '\x10\x11';

describe('berth container commands', () => {
  let d: TestDaemon;
  let env: NodeJS.ProcessEnv;
  const b = (args: string[], input?: string): ReturnType<typeof berth> =>
    berth(args, { env, timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) });
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 30_000 });
  /** A berth command line run in a terminal of 27 × 91, with keys typed as the steps say. */
  const term = (line: string, steps: TerminalStep[] = []): ReturnType<typeof inTerminal> =>
    inTerminal(`${process.execPath} ${BERTH_BIN} ${line}`, steps, {
      env,
      rows: 27,
      cols: 91,
      timeoutMs: 30_000,
    });
  const inspect = async (name: string, format: string): Promise<string> => {
    const r = await b(['inspect', '-f', format, name]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const names = async (): Promise<string> => (await b(['ps', '-aq'])).stdout;

  before(async () => {
    d = await startDaemon();
    // The client reads BERTH_HOST (see selectHost); DOCKER_HOST is set to something else to
    // show which one wins.
    env = { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: 'unix:///nonexistent.sock' };
    assert.equal((await b(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    await d?.cleanup();
  });

  it('run -i passes piped stdin, closes it at its end, and keeps stdout and stderr apart', async () => {
    const r = await b(['run', '--rm', '-i', 'busybox', 'cat'], 'hello\nworld\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\nworld\n');
    const counted = await b(
      ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'wc -l; echo err >&2; exit 5'],
      'a\nb\n',
    );
    assert.equal(counted.code, 5);
    assert.equal(counted.stdout.trim(), '2');
    assert.equal(counted.stderr, 'err\n');
    // A process that stops reading ends the session all the same (as with the Docker CLI):
    // berth does not wait to deliver the rest of its input.
    const partial = await b(['run', '--rm', '-i', 'busybox', 'head', '-c', '5'], 'y'.repeat(4e6));
    assert.equal(partial.code, 0, partial.stderr);
    assert.equal(partial.stdout, 'yyyyy');
    // Without -i the container's stdin is not the client's.
    const closed = await b(['run', '--rm', 'busybox', 'cat'], 'ignored\n');
    assert.equal(closed.code, 0, closed.stderr);
    assert.equal(closed.stdout, '');
  });

  it('run -it: a raw terminal of the client size, the exit code, and the terminal restored', async () => {
    const r = await term('run --rm -it busybox sh; echo "rc=$?"; stty -a', [
      { after: '# ', send: 'tty; stty size; exit 3\r' },
    ]);
    assert.match(r.stdout, /rc=3/, r.stdout);
    assert.match(r.stdout, /\/dev\/pts\/0\r\n/);
    assert.match(r.stdout, /27 91\r\n/);
    // Output goes out untouched, as with the Docker CLI: no "\r" added before "\r\n".
    assert.doesNotMatch(r.stdout.slice(0, r.stdout.indexOf('rc=3')), /\r\r\n/);
    // Afterwards the terminal is back in its normal mode.
    const settings = r.stdout.slice(r.stdout.indexOf('rc=3'));
    assert.match(settings, /(^|\s)icanon(\s|$)/m);
    assert.match(settings, /(^|\s)echo(\s|$)/m);
    assert.match(settings, /(^|\s)opost(\s|$)/m);
  });

  it('run -it follows the window size (SIGWINCH) through resize', async () => {
    // The window changes once the container runs; it then waits (bounded) for the change.
    const berthLine = `${process.execPath} ${BERTH_BIN}`;
    const resizeLater = `(for i in $(seq 200); do [ "$(${berthLine} inspect -f '{{.State.Running}}' winch 2>/dev/null)" = true ] && break; sleep 0.1; done; sleep 0.5; stty rows 33 cols 111 < /dev/tty) &`;
    // stty sets rows and cols in two calls (two SIGWINCHes): the wait is for both.
    const waitForChange = `stty size; i=0; while [ "$(stty size)" != "33 111" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; stty size`;
    const r = await inTerminal(
      `${resizeLater} ${berthLine} run --rm -it --name winch busybox sh -c '${waitForChange}'`,
      [],
      { env, rows: 27, cols: 91, timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stdout);
    // The first size is the client's (unless the window changed before the start already).
    assert.match(r.stdout, /(27 91|33 91|33 111)\r\n33 111\r\n/);
  });

  it('detach keys leave a -it container running; attach reattaches; exit ends it', async () => {
    const run = await term('run -it --name shell busybox sh', [
      { after: '# ', send: 'echo one-$((40+2))\r' },
      { after: 'one-42', send: CTRL_P_CTRL_Q },
    ]);
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /read escape sequence/);
    assert.equal(await inspect('shell', '{{.State.Status}}'), 'running');

    const attached = await term('attach shell', [
      { after: '', send: 'echo two-$((40+2))\r' },
      { after: 'two-42', send: CTRL_P_CTRL_Q },
    ]);
    assert.equal(attached.code, 1, attached.stdout);
    assert.match(attached.stdout, /read escape sequence/);
    assert.equal(await inspect('shell', '{{.State.Status}}'), 'running');

    // Other keys; ctrl-x followed by something else is passed on.
    const custom = await term('attach --detach-keys=ctrl-x,x shell', [
      { after: '', send: 'echo three-$((40+2))\r' },
      { after: 'three-42', send: '\x18x' },
    ]);
    assert.equal(custom.code, 1, custom.stdout);
    assert.match(custom.stdout, /read escape sequence/);

    const bad = await term('attach --detach-keys=nonsense shell', [
      { after: 'using default', send: 'echo four-$((40+2))\r' },
      { after: 'four-42', send: CTRL_P_CTRL_Q },
    ]);
    assert.match(
      bad.stdout,
      /level=warning msg="invalid detach escape keys, using default: Unknown character: 'nonsense'"/,
    );
    assert.equal(bad.code, 1, bad.stdout);

    const ended = await term('attach shell', [{ after: '', send: 'exit 9\r' }]);
    assert.equal(ended.code, 9, ended.stdout);
    await waitFor(
      'the container to exit',
      async () => (await inspect('shell', '{{.State.Status}} {{.State.ExitCode}}')) === 'exited 9',
    );
    const stopped = await b(['attach', 'shell']);
    assert.equal(stopped.code, 1);
    assert.equal(stopped.stderr, 'You cannot attach to a stopped container, start it first\n');
  });

  it('attach to a non-tty container: output and the exit code; --no-stdin', async () => {
    const id = (
      await b([
        'run',
        '-d',
        '--name',
        'talker',
        'busybox',
        'sh',
        '-c',
        'sleep 1; echo out; echo err >&2; exit 6',
      ])
    ).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const r = await b(['attach', '--no-stdin', 'talker']);
    assert.equal(r.code, 6, r.stderr);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  it('exec: output, exit codes, -u -w -e, stdin with -i, -d', async () => {
    assert.equal((await b(['run', '-d', '--name', 'box', 'busybox', 'sleep', '600'])).code, 0);
    const r = await b(['exec', 'box', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    const who = await b([
      'exec',
      '-u',
      '1234:4321',
      '-w',
      '/tmp',
      '-e',
      'GREETING=hi there',
      'box',
      'sh',
      '-c',
      'id -u; id -g; pwd; echo "$GREETING"',
    ]);
    assert.equal(who.code, 0, who.stderr);
    assert.equal(who.stdout, '1234\n4321\n/tmp\nhi there\n');
    const input = await b(['exec', '-i', 'box', 'sh', '-c', 'wc -l; cat'], 'a\nb\nc\n');
    assert.equal(input.code, 0, input.stderr);
    assert.equal(input.stdout.trim(), '3');
    const cannot = await b(['exec', 'box', 'no-such-command']);
    assert.equal(cannot.code, 126);
    assert.match(cannot.stdout + cannot.stderr, /no-such-command/);
    const detached = await b(['exec', '-d', 'box', 'sh', '-c', 'echo done > /tmp/detached']);
    assert.equal(detached.code, 0, detached.stderr);
    assert.equal(detached.stdout, '');
    await waitFor(
      'the detached exec',
      async () => (await b(['exec', 'box', 'cat', '/tmp/detached'])).stdout === 'done\n',
    );
  });

  it('exec -it: a terminal of the client size, typed input, the exit code, detach', async () => {
    const r = await term(
      `exec -it box sh -c 'tty; sleep 0.5; stty size; read line; echo "got $line"; exit 4'`,
      [{ after: /\d+ \d+\r\n/, send: 'typed\r' }],
    );
    assert.equal(r.code, 4, r.stdout);
    assert.match(r.stdout, /\/dev\/pts\/\d+\r\n/);
    assert.match(r.stdout, /27 91\r\n/);
    assert.match(r.stdout, /got typed\r\n/);
    const detached = await term('exec -it box sh', [
      { after: '# ', send: 'echo x-$((1+2))\r' },
      { after: 'x-3', send: CTRL_P_CTRL_Q },
    ]);
    assert.equal(detached.code, 1, detached.stdout);
    assert.match(detached.stdout, /read escape sequence/);
  });

  it('create prints the id; start -a -i attaches stdin and passes the exit code', async () => {
    const created = await b(['create', '-i', '--name', 'reader', 'busybox', 'rev']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^[0-9a-f]{64}\n$/);
    const r = await b(['start', '-a', '-i', 'reader'], 'olleh\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(
      (
        await b([
          'container',
          'create',
          '--name',
          'four',
          'busybox',
          'sh',
          '-c',
          'echo four; exit 4',
        ])
      ).code,
      0,
    );
    const four = await b(['start', '-a', 'four']);
    assert.equal(four.code, 4);
    assert.equal(four.stdout, 'four\n');
    const plain = await b(['start', 'four', 'nosuch']);
    assert.equal(plain.code, 1);
    assert.equal(plain.stdout, 'four\n');
    assert.equal(
      plain.stderr,
      'Error response from daemon: No such container: nosuch\nError: failed to start containers: nosuch\n',
    );
  });

  it('create sends what the Docker CLI sends: the same HostConfig and Config in inspect', async () => {
    const flags = [
      '--memory',
      '32m',
      '--cpus',
      '1.5',
      '--pids-limit',
      '20',
      '--read-only',
      '--cap-add',
      'net_admin',
      '--cap-drop',
      'CHOWN',
      '--init',
      '--tmpfs',
      '/t:size=1m',
      '--ulimit',
      'nofile=100:200',
      '--security-opt',
      'no-new-privileges',
      '--restart',
      'on-failure:2',
      '--stop-timeout',
      '3',
      '-p',
      '127.0.0.1:8080:80',
      '--expose',
      '9000',
      '-e',
      'A=1',
      '-l',
      'x=y',
      '-w',
      '/tmp',
      '-u',
      '1:2',
      '--stop-signal',
      'SIGUSR1',
      'busybox',
      'true',
    ];
    assert.equal((await b(['create', '--name', 'mine', ...flags])).code, 0);
    assert.equal((await dk(['create', '--name', 'theirs', ...flags])).code, 0);
    const config = async (name: string): Promise<unknown> => {
      const c = JSON.parse(await inspect(name, '{{json .Config}}')) as Record<string, unknown>;
      delete c['Hostname'];
      return c;
    };
    assert.equal(
      await inspect('mine', '{{json .HostConfig}}'),
      await inspect('theirs', '{{json .HostConfig}}'),
    );
    assert.deepEqual(await config('mine'), await config('theirs'));
    const port = await b(['port', 'mine']);
    assert.equal(port.code, 0, port.stderr);
    assert.equal(port.stdout, (await dk(['port', 'mine'])).stdout);
  });

  it('restart, pause, unpause, wait, rename behave as the Docker CLI', async () => {
    assert.equal((await b(['run', '-d', '--name', 'life', 'busybox', 'sleep', '600'])).code, 0);
    const pid = await inspect('life', '{{.State.Pid}}');
    const paused = await b(['pause', 'life']);
    assert.equal(paused.stdout, 'life\n');
    assert.equal(await inspect('life', '{{.State.Status}}'), 'paused');
    const unpaused = await b(['unpause', 'life']);
    assert.equal(unpaused.stdout, 'life\n');
    assert.equal(await inspect('life', '{{.State.Status}}'), 'running');
    const again = await b(['unpause', 'life']);
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /^Error response from daemon: Container [0-9a-f]{64} is not paused\n$/,
    );
    const restarted = await b(['restart', '-t', '1', 'life']);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.equal(restarted.stdout, 'life\n');
    assert.equal(await inspect('life', '{{.State.Status}}'), 'running');
    assert.notEqual(await inspect('life', '{{.State.Pid}}'), pid);

    const renamed = await b(['rename', 'life', 'life2']);
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.equal(await inspect('life2', '{{.Name}}'), '/life2');
    const waiting = b(['wait', 'life2']);
    assert.equal((await b(['kill', 'life2'])).code, 0);
    const waited = await waiting;
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(waited.stdout, '137\n');
  });

  it('update changes limits and the restart policy as docker update does', async () => {
    assert.equal((await b(['run', '-d', '--name', 'tuned', 'busybox', 'sleep', '600'])).code, 0);
    const updated = await b([
      'update',
      '-m',
      '64m',
      '--memory-swap',
      '-1',
      '--cpus',
      '0.5',
      '--pids-limit',
      '40',
      '--restart',
      'on-failure:3',
      'tuned',
    ]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(updated.stdout, 'tuned\n');
    assert.equal(
      await inspect(
        'tuned',
        '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}',
      ),
      '67108864 -1 500000000 40 on-failure:3',
    );
    const pids = await b(['exec', 'tuned', 'cat', '/sys/fs/cgroup/pids/pids.max']);
    assert.equal(pids.stdout, '40\n', 'applied to the running container');
    // The same mistakes give what the Docker CLI gives.
    for (const args of [
      ['update', 'tuned'],
      ['update', '-m', 'lots', 'tuned'],
      ['update', '-m', '1m', 'tuned'],
      ['update', '-m', '64m', 'nosuch'],
    ]) {
      const ours = await b(args);
      const theirs = await dk(args);
      assert.equal(ours.code, theirs.code, `${args.join(' ')}: ${ours.stderr} / ${theirs.stderr}`);
      assert.equal(
        ours.stderr.split('\n')[0]?.replace(/berth/g, 'docker'),
        theirs.stderr.split('\n')[0],
        args.join(' '),
      );
    }
    assert.equal((await b(['rm', '-f', 'tuned'])).code, 0);
  });

  it('inspect prints what docker inspect prints: containers, images, templates, misses', async () => {
    for (const args of [
      ['inspect', 'box'],
      ['inspect', 'busybox'],
      ['inspect', '--format', 'json', 'box', 'busybox'],
      ['inspect', '-f', '{{.Name}} {{.State.Running}} {{json .Config.Cmd}}', 'box'],
      ['inspect', '-f', '{{.Id}}', 'box', 'busybox', 'nosuch'],
      ['inspect', 'nosuch'],
      ['inspect', '--type', 'image', 'box'],
      ['inspect', '-f', '{{.State.Nope}}', 'box'],
      ['inspect', '-f', '{{.Name', 'box'],
      ['container', 'inspect', '-f', '{{.Config.Image}}', 'box', 'busybox'],
    ]) {
      const mine = await b(args);
      const theirs = await dk(args);
      assert.equal(mine.stdout, theirs.stdout, `stdout of ${args.join(' ')}`);
      assert.equal(mine.stderr, theirs.stderr, `stderr of ${args.join(' ')}`);
      assert.equal(mine.code, theirs.code, `exit code of ${args.join(' ')}`);
    }
  });

  it('ps -s, system df and container prune print what the Docker CLI prints', async () => {
    const write = ['sh', '-c', 'head -c 1234 /dev/zero > /f'];
    assert.equal(
      (await b(['run', '--label', 'sz=1', '--name', 'sz', 'busybox', ...write])).code,
      0,
    );
    const same = async (args: string[]): Promise<string> => {
      const [ours, theirs] = await Promise.all([b(args), dk(args)]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, theirs.stdout, args.join(' '));
      return ours.stdout;
    };
    // The table's CREATED column may differ by a second between the two: the rest is the same.
    const table = await b(['ps', '-a', '-s', '--filter', 'label=sz']);
    assert.match(table.stdout, /NAMES\s+SIZE\n.*sz\s+1\.23kB \(virtual [\d.]+MB\)\n$/);
    const header = (await dk(['ps', '-a', '-s', '--filter', 'label=sz'])).stdout.split('\n')[0];
    assert.equal(table.stdout.split('\n')[0], header);
    await same(['ps', '-a', '--filter', 'label=sz', '--format', '{{.Names}} {{.Size}}']);
    await same(['system', 'df']);
    const id = await inspect('sz', '{{.Id}}');
    const pruned = await b(['container', 'prune', '-f', '--filter', 'label=sz']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.equal(pruned.stdout, `Deleted Containers:\n${id}\n\nTotal reclaimed space: 1.234kB\n`);
    await same(['container', 'prune', '-f', '--filter', 'label=sz']);
    const bad = await b(['container', 'prune', '-f', '--filter', 'until=soon']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /failed to parse value as time or duration: "soon"/);
  });

  it('forwards signals to a non-tty container (sig-proxy)', async () => {
    const child = spawn(
      process.execPath,
      [
        BERTH_BIN,
        'run',
        '--rm',
        'busybox',
        'sh',
        '-c',
        'trap "echo got-term; exit 9" TERM; echo ready; while true; do sleep 0.1; done',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      await waitFor('the container to start', async () => out.includes('ready'), 20_000);
      child.kill('SIGTERM');
      assert.equal(await exited, 9);
      assert.equal(out, 'ready\ngot-term\n');
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses bad input with the Docker CLI messages and exit codes, creating nothing', async () => {
    const before = await names();
    const cases: [string[], number, RegExp][] = [
      [['exec', 'nosuch', 'true'], 1, /^Error response from daemon: No such container: nosuch\n$/],
      [['attach', 'nosuch'], 1, /^Error response from daemon: No such container: nosuch\n$/],
      [['start', '-a', 'nosuch'], 1, /^Error response from daemon: No such container: nosuch\n$/],
      [['restart', 'nosuch'], 1, /^Error response from daemon: No such container: nosuch\n$/],
      [['pause', 'nosuch'], 1, /^Error response from daemon: No such container: nosuch\n$/],
      [['wait', 'nosuch'], 1, /^Error response from daemon: No such container: nosuch\n$/],
      [
        ['rename', 'nosuch', 'x'],
        1,
        /^Error response from daemon: No such container: nosuch\nError: failed to rename container named nosuch\n$/,
      ],
      [['port', 'box', '80'], 1, /^Error: No public port '80' published for box\n$/],
      [['run', '-it', 'busybox', 'true'], 1, /^the input device is not a TTY\n$/],
      [['exec', '-it', 'box', 'true'], 1, /^the input device is not a TTY\n$/],
      [
        ['exec', 'box'],
        1,
        /^berth: 'berth exec' requires at least 2 arguments\n\nUsage: {2}berth exec /,
      ],
      [
        ['run', '-m', 'lots', 'busybox', 'true'],
        125,
        /^invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'\n\nUsage: {2}berth run /,
      ],
      [
        ['run', '--restart', 'always', '--rm', 'busybox', 'true'],
        125,
        /^berth: conflicting options: cannot specify both --restart and --rm\n\nRun 'berth run --help' for more information\n$/,
      ],
      [['run', '-p', '70000:80', 'busybox', 'true'], 125, /^berth: invalid hostPort: 70000\n/],
      [
        ['run', '--restart', 'sometimes', 'busybox', 'true'],
        125,
        /^berth: Error response from daemon: invalid restart policy 'sometimes'\n/,
      ],
      [['run', '--rm', 'busybox', '/nonexistent'], 127, /no such file or directory/],
      [['run', 'nosuchimage'], 125, /^berth: Error response from daemon: No such image: /],
      [['create', 'nosuchimage'], 1, /^Error response from daemon: No such image: /],
    ];
    for (const [args, code, stderr] of cases) {
      const r = await b(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr, args.join(' '));
    }
    assert.equal(await names(), before, 'no container was left behind');
    const stopped = await b(['create', '--name', 'idle', 'busybox', 'true']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const notRunning = await b(['exec', 'idle', 'true']);
    assert.equal(notRunning.code, 1);
    assert.match(notRunning.stderr, /Container [0-9a-f]{64} is not running/);
    assert.equal((await d.client.ping()).apiVersion, '1.41', 'the daemon is fine');
    assert.doesNotMatch(d.log(), /unhandled rejection/i);
  });
});
