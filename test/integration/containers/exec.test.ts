// docker exec through the real Docker CLI: output and exit codes, stdin, user/env/workdir,
// privileged, detached execs, a terminal with its window size, events, and the bad inputs.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiRequest, messageOf } from '../../helpers/api.js';
import { docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { inTerminal } from '../../helpers/terminal.js';

describe('exec', () => {
  let d: TestDaemon;
  let since: string;
  const dk = (args: string[], input?: string): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) });
  before(async () => {
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
    since = String(Math.floor(Date.now() / 1000) - 1);
    const r = await dk(['run', '-d', '--name', 'box', 'busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    await d?.cleanup();
  });

  it('runs a command, keeps stdout and stderr apart and passes the exit code', async () => {
    const r = await dk(['exec', 'box', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    const ok = await dk(['exec', 'box', 'echo', 'hello']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'hello\n');
  });

  it('runs in the container: its pid namespace, hostname and environment', async () => {
    const r = await dk([
      'exec',
      'box',
      'sh',
      '-c',
      'cat /proc/1/cmdline | tr "\\0" " "; echo; hostname',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const id = (await dk(['inspect', '-f', '{{.Id}}', 'box'])).stdout.trim();
    assert.equal(r.stdout, `sleep 600 \n${id.slice(0, 12)}\n`);
  });

  it('a command that cannot run exits 126 with the runtime message', async () => {
    const r = await dk(['exec', 'box', 'no-such-command']);
    assert.equal(r.code, 126);
    assert.match(r.stdout + r.stderr, /OCI runtime exec failed: .*no-such-command.*not found/);
  });

  it('honours -u, -w and -e', async () => {
    const r = await dk([
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
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1234\n4321\n/tmp\nhi there\n');
    // The daemon resolves the user, as dockerd does: its words, not the runtime's.
    const unknown = await dk(['exec', '-u', 'nosuchuser', 'box', 'true']);
    assert.equal(unknown.code, 126);
    assert.equal(
      unknown.stdout,
      'unable to find user nosuchuser: no matching entries in passwd file\r\n',
    );
    const group = await dk(['exec', '-u', '0:nosuchgroup', 'box', 'true']);
    assert.equal(group.code, 126);
    assert.equal(
      group.stdout,
      'unable to find group nosuchgroup: no matching entries in group file\r\n',
    );
  });

  it("resolves -u in the container's own /etc/passwd, even when it is a symlink to a host path", async () => {
    const host = await mkdtemp(join(tmpdir(), 'berth-hostpasswd-'));
    try {
      await writeFile(join(host, 'passwd'), 'hostonly:x:4242:4242::/:/bin/sh\n');
      const linked = await dk([
        'run',
        '-d',
        '--network',
        'none',
        '--name',
        'linkedpasswd',
        'busybox',
        'sh',
        '-c',
        `ln -sf ${host}/passwd /etc/passwd && sleep 60`,
      ]);
      assert.equal(linked.code, 0, linked.stderr);
      for (let i = 0; i < 50; i++) {
        const l = await dk(['exec', 'linkedpasswd', 'readlink', '/etc/passwd']);
        if (l.stdout.trim() === `${host}/passwd`) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const r = await dk(['exec', '-u', 'hostonly', 'linkedpasswd', 'id', '-u']);
      assert.equal(r.code, 126, `the host's file was read: ${r.stdout}`);
      assert.match(r.stdout, /hostonly/);
    } finally {
      await dk(['rm', '-f', 'linkedpasswd']);
      await rm(host, { recursive: true, force: true });
    }
  });

  it('passes stdin with -i and closes it at its end', async () => {
    const r = await dk(['exec', '-i', 'box', 'sh', '-c', 'wc -l; cat'], 'a\nb\nc\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '3');
  });

  it('--privileged gives every capability, a plain exec the container set', async () => {
    const capEff = async (args: string[]): Promise<bigint> => {
      const r = await dk(['exec', ...args, 'box', 'grep', 'CapEff', '/proc/self/status']);
      assert.equal(r.code, 0, r.stderr);
      return BigInt(`0x${r.stdout.split(/\s+/)[1]}`);
    };
    const plain = await capEff([]);
    const privileged = await capEff(['--privileged']);
    assert.ok(privileged > plain, `${privileged.toString(16)} > ${plain.toString(16)}`);
    assert.equal(plain & (1n << 21n), 0n, 'no CAP_SYS_ADMIN without --privileged');
    assert.notEqual(privileged & (1n << 21n), 0n, 'CAP_SYS_ADMIN with --privileged');
  });

  it('-d returns at once and the process runs on; ExecIDs lists it while it runs', async () => {
    const r = await dk(['exec', '-d', 'box', 'sh', '-c', 'sleep 2; echo done > /tmp/detached']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const ids = await dk(['inspect', '-f', '{{len .ExecIDs}}', 'box']);
    assert.equal(ids.stdout.trim(), '1');
    let content = '';
    for (let i = 0; i < 100 && content !== 'done\n'; i++) {
      content = (await dk(['exec', 'box', 'cat', '/tmp/detached'])).stdout;
      if (content !== 'done\n') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(content, 'done\n');
    assert.equal((await dk(['inspect', '-f', '{{.ExecIDs}}', 'box'])).stdout.trim(), '[]');
  });

  it('-it gives a terminal with the client window size and passes the exit code', async () => {
    const r = await inTerminal(
      `docker exec -it box sh -c 'tty; sleep 0.5; stty size; read line; echo "got $line"; exit 4'`,
      [{ after: /\d+ \d+\r\n/, send: 'typed\r' }],
      { env: { ...process.env, DOCKER_HOST: d.host }, rows: 33, cols: 111 },
    );
    assert.equal(r.code, 4, r.stdout);
    assert.match(r.stdout, /\/dev\/pts\/\d+\r\n/);
    assert.match(r.stdout, /33 111\r\n/);
    assert.match(r.stdout, /got typed\r\n/);
  });

  it('emits exec_create, exec_start and exec_die', async () => {
    const r = await dk([
      'events',
      '--since',
      since,
      '--until',
      String(Math.floor(Date.now() / 1000) + 1),
      '--filter',
      'container=box',
      '--format',
      '{{.Action}} {{index .Actor.Attributes "exitCode"}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^exec_create: sh -c echo out; echo err >&2; exit 3 $/m);
    assert.match(r.stdout, /^exec_start: sh -c echo out; echo err >&2; exit 3 $/m);
    assert.match(r.stdout, /^exec_die 3$/m);
  });

  it('refuses what cannot be run', async () => {
    const stopped = await dk(['create', '--name', 'idle', 'busybox', 'true']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const r = await dk(['exec', 'idle', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Container [0-9a-f]{64} is not running/);
    const missing = await dk(['exec', 'nosuch', 'true']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: nosuch/);

    const empty = await apiRequest(d.socket, 'POST', '/containers/box/exec', '{"Cmd":[]}');
    assert.equal(empty.status, 400);
    assert.equal(messageOf(empty), 'No exec command specified');
    const badType = await apiRequest(d.socket, 'POST', '/containers/box/exec', '{"Cmd":5}');
    assert.equal(badType.status, 400);
    const unknown = await apiRequest(d.socket, 'POST', `/exec/${'0'.repeat(64)}/start`, '{}');
    assert.equal(unknown.status, 404);
    assert.match(messageOf(unknown), /No such exec instance/);
    assert.equal((await apiRequest(d.socket, 'GET', `/exec/${'0'.repeat(64)}/json`)).status, 404);

    const created = await apiRequest(
      d.socket,
      'POST',
      '/containers/box/exec',
      '{"Cmd":["sh","-c","exit 6"],"AttachStdout":true}',
    );
    assert.equal(created.status, 201);
    const { Id } = JSON.parse(created.body) as { Id: string };
    const badSize = await apiRequest(d.socket, 'POST', `/exec/${Id}/resize?h=x&w=10`);
    assert.equal(badSize.status, 400);
    const first = await apiRequest(d.socket, 'POST', `/exec/${Id}/start`, '{"Detach":false}');
    assert.equal(first.status, 200);
    const again = await apiRequest(d.socket, 'POST', `/exec/${Id}/start`, '{"Detach":false}');
    assert.equal(again.status, 409);
    const inspect = JSON.parse((await apiRequest(d.socket, 'GET', `/exec/${Id}/json`)).body) as {
      Running: boolean;
      ExitCode: number;
      ProcessConfig: { entrypoint: string; arguments: string[] };
    };
    assert.equal(inspect.Running, false);
    assert.equal(inspect.ExitCode, 6);
    assert.deepEqual(inspect.ProcessConfig.arguments, ['-c', 'exit 6']);
    // The daemon is still fine.
    assert.equal((await dk(['exec', 'box', 'true'])).code, 0);
  });
});
