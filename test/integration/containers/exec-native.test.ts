// docker exec without a terminal goes through berth-exec (src/core/runtime/native-exec.ts), not
// runc exec. What runc gives the container's init process is the reference: the exec'd process
// must get the same namespaces, cgroups, credentials, capability sets, no_new_privs, limits,
// umask and working directory, and a seccomp filter that decides every system call the same
// way (a probe calls each one under both and compares). Also: berth-exec runs from a sealed
// copy of itself, refuses a container process that is not the one it was told, and rejects
// malformed seccomp rules.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { apiRequest } from '../../helpers/api.js';
import { docker, REPO, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

const run = promisify(execFile);
const HELPER = join(REPO, 'dist/native/berth-exec');

/** The lines of /proc/<pid>/status that credentials, capabilities and seccomp show in. */
const STATUS =
  /^(Umask|Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):/;

/** A shell script printing what the kernel says of process $1: the same for init and exec. */
const DESCRIBE = [
  'p=$1',
  'cat /proc/$p/status',
  'cat /proc/$p/limits',
  'cat /proc/$p/cgroup',
  'cat /proc/$p/oom_score_adj',
  'for n in cgroup ipc mnt net pid uts; do echo $n $(readlink /proc/$p/ns/$n); done',
  'echo cwd $(readlink /proc/$p/cwd)',
].join('; ');

describe('exec through berth-exec', () => {
  let d: TestDaemon;
  let work: string;
  let probe: string;
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 60_000 });

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-exec-native-'));
    probe = join(work, 'probe');
    await run('gcc', ['-O1', '-static', '-o', probe, join(REPO, 'test/fixtures/syscall-probe.c')]);
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    await d?.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  async function execPid(container: string, cmd: string[], tty = false): Promise<number> {
    const created = await apiRequest(
      d.socket,
      'POST',
      `/containers/${container}/exec`,
      JSON.stringify({ Cmd: cmd, Tty: tty }),
    );
    assert.equal(created.status, 201, created.body);
    const { Id } = JSON.parse(created.body) as { Id: string };
    const started = await apiRequest(d.socket, 'POST', `/exec/${Id}/start`, '{"Detach":true}');
    assert.equal(started.status, 200, started.body);
    for (let i = 0; i < 200; i++) {
      const info = JSON.parse((await apiRequest(d.socket, 'GET', `/exec/${Id}/json`)).body) as {
        Pid: number;
        Running: boolean;
      };
      if (info.Pid > 0) return info.Pid;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the exec never ran');
  }

  it('runs from a sealed copy of berth-exec that cannot be written', async () => {
    assert.equal((await dk(['run', '-d', '--name', 'sealed', 'busybox', 'sleep', '600'])).code, 0);
    const pid = await execPid('sealed', ['sleep', '30']);
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    assert.match(readlinkSync(`/proc/${ppid}/exe`), /^\/memfd:berth-exec/);
    await assert.rejects(async () => {
      const file = await open(`/proc/${ppid}/exe`, 'r+');
      try {
        await file.write(Buffer.from('x'), 0, 1, 0);
      } finally {
        await file.close();
      }
    }, /EPERM|ETXTBSY/);
  });

  for (const [name, options] of [
    ['default', []],
    [
      'restricted',
      [
        '--cap-drop',
        'ALL',
        '--cap-add',
        'NET_RAW',
        '--cap-add',
        'SETUID',
        '--security-opt',
        'no-new-privileges',
        '-u',
        '1000:1000',
        '--group-add',
        '50',
        '--group-add',
        '60',
        '--ulimit',
        'nofile=512:1024',
        '--ulimit',
        'nproc=300:400',
        '-w',
        '/tmp',
        '--oom-score-adj',
        '300',
      ],
    ],
    ['privileged', ['--privileged']],
    ['unconfined', ['--security-opt', 'seccomp=unconfined', '--cap-add', 'SYS_ADMIN']],
  ] as const) {
    it(`gives the process what runc gives the init process (${name})`, async () => {
      const c = `same-${name}`;
      const r = await dk(['run', '-d', '--name', c, ...options, 'busybox', 'sleep', '600']);
      assert.equal(r.code, 0, r.stderr);
      const init = await dk(['exec', c, 'sh', '-c', DESCRIBE, 'sh', '1']);
      assert.equal(init.code, 0, init.stderr);
      const self = await dk(['exec', c, 'sh', '-c', DESCRIBE.replace('p=$1', () => 'p=$$')]);
      assert.equal(self.code, 0, self.stderr);
      const keep = (text: string): string =>
        text
          .split('\n')
          .filter((l) => STATUS.test(l) || !/^[A-Za-z_]+:\t/.test(l))
          .join('\n');
      assert.equal(keep(self.stdout), keep(init.stdout));
      // A session and process group of its own, as runc makes it.
      const ns = (key: string): string | undefined =>
        new RegExp(`^${key}:\\s+(\\d+)$`, 'm').exec(self.stdout)?.[1];
      assert.ok(ns('NSpid'));
      assert.equal(ns('NSsid'), ns('NSpid'));
      assert.equal(ns('NSpgid'), ns('NSpid'));
      // The comparison has teeth: the things compared are there.
      assert.match(init.stdout, /^CapBnd:\s+[0-9a-f]{16}$/m);
      assert.match(init.stdout, /^Max open files\s+\d+/m);
      assert.match(init.stdout, /^mnt mnt:\[\d+\]$/m);
      if (name === 'restricted') {
        assert.match(self.stdout, /^Uid:\s+1000\s/m);
        assert.match(self.stdout, /^Groups:\s+50 60 1000\s*$/m);
        assert.match(self.stdout, /^NoNewPrivs:\s+1$/m);
        assert.match(self.stdout, /^CapBnd:\s+0000000000002080$/m);
        assert.match(self.stdout, /^Max open files\s+512\s+1024/m);
        assert.match(self.stdout, /^cwd \/tmp$/m);
        assert.match(self.stdout, /^300$/m);
      }
      if (name === 'default') assert.match(self.stdout, /^Seccomp:\s+2$/m);
      if (name === 'unconfined') assert.match(self.stdout, /^Seccomp:\s+0$/m);
    });
  }

  for (const [name, options] of [
    ['default', []],
    ['with SYS_ADMIN', ['--cap-add', 'SYS_ADMIN']],
    ['without capabilities', ['--cap-drop', 'ALL', '-u', '1000']],
  ] as const) {
    it(`decides every system call as runc's filter does (${name})`, async () => {
      const mount = ['-v', `${probe}:/probe:ro`];
      const byRunc = await dk(['run', '--rm', ...mount, ...options, 'busybox', '/probe']);
      assert.equal(byRunc.code, 0, byRunc.stderr);
      const c = `probe-${name.replace(/ /g, '-')}`;
      const r = await dk([
        'run',
        '-d',
        '--name',
        c,
        ...mount,
        ...options,
        'busybox',
        'sleep',
        '600',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const byExec = await dk(['exec', c, '/probe']);
      assert.equal(byExec.code, 0, byExec.stderr);
      const lines = byRunc.stdout.trim().split('\n');
      assert.ok(lines.length > 900, `${lines.length} probes`);
      const execLines = byExec.stdout.trim().split('\n');
      assert.equal(execLines.length, lines.length);
      const differing = lines
        .map((l, i) => `${l} / ${execLines[i]}`)
        .filter((l, i) => lines[i] !== execLines[i]);
      assert.deepEqual(differing, []);
      // That the probe sees a filter at all: the next test.
    });
  }

  it('leaves a terminal to runc exec', async () => {
    assert.equal((await dk(['run', '-d', '--name', 'tty', 'busybox', 'sleep', '600'])).code, 0);
    const pid = await execPid('tty', ['sleep', '30'], true);
    assert.match(readlinkSync(`/proc/${pid}/fd/0`), /^\/dev\/pts\//);
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    assert.doesNotMatch(readlinkSync(`/proc/${ppid}/exe`), /berth-exec/);
  });

  it('leaves to runc exec a profile it does not reproduce', async () => {
    // --security-opt seccomp=<file>, default action allow: runc's handling of system calls
    // libseccomp does not know would differ.
    const profile = join(work, 'allow-but-mkdir.json');
    await writeFile(
      profile,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
      }),
    );
    const opt = ['--security-opt', `seccomp=${profile}`];
    const refused = await dk(['run', '--rm', ...opt, 'busybox', 'mkdir', '/made']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Operation not permitted/);
    const c = 'custom-profile';
    const r = await dk(['run', '-d', '--name', c, ...opt, 'busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    const mkdir = await dk(['exec', c, 'mkdir', '/made']);
    assert.equal(mkdir.code, 1);
    assert.match(mkdir.stderr, /Operation not permitted/);
    assert.equal((await dk(['exec', c, 'touch', '/made'])).code, 0);
    const pid = await execPid(c, ['sleep', '30']);
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    assert.doesNotMatch(readlinkSync(`/proc/${ppid}/exe`), /berth-exec/);

    const bad = join(work, 'bad-profile.json');
    await writeFile(bad, JSON.stringify({ defaultAction: 'SCMP_ACT_SOMETIMES' }));
    const badRun = await dk(['run', '--rm', '--security-opt', `seccomp=${bad}`, 'busybox', 'true']);
    assert.equal(badRun.code, 125);
    assert.match(badRun.stderr, /defaultAction/);
    const notJson = await apiRequest(
      d.socket,
      'POST',
      '/containers/create',
      JSON.stringify({
        Image: 'busybox',
        HostConfig: { SecurityOpt: ['seccomp={"defaultAction":'] },
      }),
    );
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /Decoding seccomp profile failed/);
  });

  it('the probe tells a filter from none', async () => {
    const mount = ['-v', `${probe}:/probe:ro`];
    const confined = await dk(['run', '--rm', ...mount, 'busybox', '/probe']);
    const unconfined = await dk([
      'run',
      '--rm',
      ...mount,
      '--security-opt',
      'seccomp=unconfined',
      'busybox',
      '/probe',
    ]);
    assert.equal(confined.code, 0, confined.stderr);
    assert.equal(unconfined.code, 0, unconfined.stderr);
    assert.notEqual(confined.stdout, unconfined.stdout);
  });

  it('refuses a process that is not the container one it was given, and bad input', async () => {
    assert.equal((await dk(['run', '-d', '--name', 'target', 'busybox', 'sleep', '600'])).code, 0);
    const pid = (await dk(['inspect', '-f', '{{.State.Pid}}', 'target'])).stdout.trim();
    const wrongStart = await helper(['run', '--pid', pid, '--start', '1', '--', 'true']);
    assert.deepEqual(wrongStart, {
      code: 255,
      report: `error container process ${pid} is not running\n`,
    });
    assert.deepEqual(await helper(['run', '--pid', pid, '--start', '1']), {
      code: 255,
      report: 'error no command\n',
    });
    assert.deepEqual(await helper(['run', '--bogus', '1', '--', 'true']), {
      code: 255,
      report: 'error unknown option --bogus\n',
    });
    assert.deepEqual(await helper(['run', '--pid', 'x1', '--', 'true']), {
      code: 255,
      report: "error bad number 'x1'\n",
    });
    assert.equal((await helper(['compile'], 'default errno 38\nrule allow 0 read 9\n')).code, 2);
    assert.equal((await helper(['compile'], 'rule allow 0 read 0\n')).code, 2);
    assert.equal((await helper(['compile'], 'default bogus 0\n')).code, 2);
    assert.equal((await helper(['compile'], '')).code, 2);
    const good = await helper(['compile'], 'default errno 38\narch x86_64\nrule allow 0 read 0\n');
    assert.equal(good.code, 0);
  });
});

/** Runs berth-exec; its exit code and what it reported on fd 3. */
function helper(args: string[], input?: string): Promise<{ code: number | null; report: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(HELPER, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore', 'pipe'],
    });
    child.stdin?.on('error', () => undefined); // it may exit before reading
    let report = '';
    (child.stdio[3] as Readable).on('data', (b: Buffer) => (report += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, report }));
    child.stdin?.end(input);
  });
}
