// Containers that run, through the real Docker CLI: run (foreground, --rm, -d), exit codes,
// logs, stop, kill, start/stop status codes, rm -f, and a daemon killed under a running one.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { apiRequest } from '../../helpers/api.js';
import { detectCgroups } from '../../../src/core/host/host-info.js';
import { detectHostLimitSupport } from '../../../src/core/host/resource-limits.js';
import { berth, docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

const execFileP = promisify(execFile);

/** Processes (conmon, container init) whose command line names this daemon's directories. */
function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dir)) out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

describe('running containers', () => {
  let d: TestDaemon;
  const dk = (args: string[], timeoutMs = 30_000): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs });
  before(async () => {
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    // Containers outlive the daemon by design: remove them first, so no conmon stays behind.
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    const dir = d.dir;
    await d?.cleanup();
    // The last daemon may have run on an earlier one's directory (the restart test): remove it.
    await rm(dir, { recursive: true, force: true });
    await waitFor('the monitors to exit', async () => processesUnder(dir).length === 0, 10_000);
    assert.equal(
      readFileSync('/proc/self/mountinfo', 'utf8').includes(d.dataRoot),
      false,
      'nothing stays mounted',
    );
  });

  it('docker run --rm busybox echo hello prints exactly hello and leaves nothing', async () => {
    const r = await dk(['run', '--rm', 'busybox', 'echo', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.stderr, '');
    assert.equal((await dk(['ps', '-aq'])).stdout.trim(), '');
    // Its files go after the answer to `wait`, in the background: soon, and all of them.
    const left = (): string[] => [
      ...readdirSync(join(d.execRoot, 'runc')),
      ...readdirSync(join(d.execRoot, 'containers')).filter((n) => n !== 'exits'),
      ...readdirSync(join(d.execRoot, 'containers', 'exits')),
      ...readdirSync(join(d.dataRoot, 'containers')),
      ...readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((l) => l.includes(d.dataRoot)),
    ];
    await waitFor("the removed container's files to go", async () => left().length === 0, 5000);
  });

  it('passes the exit code and keeps stdout and stderr apart', async () => {
    const r = await dk([
      'run',
      '--name',
      'seven',
      'busybox',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 7',
    ]);
    assert.equal(r.code, 7);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    const state = await dk([
      'inspect',
      '--format',
      '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}',
      'seven',
    ]);
    assert.equal(state.stdout.trim(), 'exited 7 false');
    const logs = await dk(['logs', 'seven']);
    assert.equal(logs.stdout, 'out\n');
    assert.equal(logs.stderr, 'err\n');
    const ps = await dk(['ps', '-a', '--filter', 'name=seven', '--format', '{{.Status}}']);
    assert.match(ps.stdout.trim(), /^Exited \(7\) .+ ago$/);
    const kill = await dk(['kill', 'seven']);
    assert.equal(kill.code, 1);
    assert.match(kill.stderr, /is not running/);
    const stop = await dk(['stop', 'seven']);
    assert.equal(stop.code, 0, 'stop of a stopped container is a 304, a success');
    const again = await dk(['start', '-a', 'seven']);
    assert.equal(again.code, 7, 'a stopped container starts again');
    assert.equal(again.stdout, 'out\n');
    assert.equal((await dk(['rm', 'seven'])).code, 0);
  });

  it('runs detached: ps, logs, logs -f, stop (SIGKILL after the timeout), rm', async () => {
    const run = await dk([
      'run',
      '-d',
      '--name',
      'ticker',
      'busybox',
      'sh',
      '-c',
      'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await waitFor('output', async () => (await dk(['logs', 'ticker'])).stdout.includes('tick 3'));
    const ps = await dk(['ps', '--format', '{{.Names}} {{.Status}}']);
    assert.match(ps.stdout, /^ticker Up /m);
    const tail = await dk(['logs', '--tail', '2', 'ticker']);
    assert.equal(tail.stdout.trim().split('\n').length, 2);
    const stamped = await dk(['logs', '-t', '--tail', '1', 'ticker']);
    assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+$/m);
    const follow = await dk(['logs', '-f', '--tail', '0', 'ticker'], 1500);
    assert.match(follow.stdout, /tick \d+/, 'follow streams new lines');
    const pid = Number(
      (await dk(['inspect', '--format', '{{.State.Pid}}', 'ticker'])).stdout.trim(),
    );
    assert.ok(pid > 1);
    const start = await dk(['start', 'ticker']);
    assert.equal(start.code, 0, 'start of a running container is a 304');
    const rmRunning = await dk(['rm', 'ticker']);
    assert.equal(rmRunning.code, 1);
    assert.match(rmRunning.stderr, /You cannot remove a running container/);
    const stop = await dk(['stop', '-t', '1', 'ticker']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(
      (await dk(['inspect', '--format', '{{.State.ExitCode}}', 'ticker'])).stdout.trim(),
      '137',
    );
    assert.equal((await dk(['rm', 'ticker'])).code, 0);
  });

  it('a start or rm right at the exit waits for its clean-up, and works', async () => {
    // wait returns as the exit is told, before the rootfs and network are let go (as Docker).
    const api = (method: string, path: string, body?: string): ReturnType<typeof apiRequest> =>
      apiRequest(d.socket, method, path, body);
    const created = await api(
      'POST',
      '/containers/create',
      JSON.stringify({ Image: 'busybox', Cmd: ['true'] }),
    );
    assert.equal(created.status, 201, created.body);
    const id = (JSON.parse(created.body) as { Id: string }).Id;
    for (let i = 0; i < 5; i++) {
      assert.equal((await api('POST', `/containers/${id}/start`)).status, 204);
      const waited = await api('POST', `/containers/${id}/wait`);
      assert.equal(waited.status, 200, waited.body);
      assert.equal((JSON.parse(waited.body) as { StatusCode: number }).StatusCode, 0);
    }
    const inspected = await api('GET', `/containers/${id}/json`);
    const merged = (JSON.parse(inspected.body) as { GraphDriver: { Data: { MergedDir: string } } })
      .GraphDriver.Data.MergedDir;
    const removed = await api('DELETE', `/containers/${id}`);
    assert.equal(removed.status, 204, removed.body);
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(merged), false);
    assert.doesNotMatch(d.log(), /unmount failed|runtime delete failed|network detach failed/);
  });

  it('rm -f removes a running container', async () => {
    const run = await dk(['run', '-d', 'busybox', 'sleep', '1000']);
    assert.equal(run.code, 0, run.stderr);
    const rm = await dk(['rm', '-f', run.stdout.trim()]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await dk(['ps', '-aq'])).stdout.trim(), '');
    const selfRemoving = await dk(['run', '-d', '--rm', 'busybox', 'sleep', '1000']);
    assert.equal(selfRemoving.code, 0, selfRemoving.stderr);
    const rmRm = await dk(['rm', '-f', selfRemoving.stdout.trim()]);
    assert.equal(rmRm.code, 0, rmRm.stderr);
    assert.equal((await dk(['ps', '-aq'])).stdout.trim(), '');
    assert.equal((await d.client.ping()).apiVersion, '1.41', 'the daemon is fine');
    assert.doesNotMatch(d.log(), /unhandled rejection/);
  });

  it('berth run, ps, logs, stop, rm behave as the Docker CLI', async () => {
    const b = (args: string[]): ReturnType<typeof berth> =>
      berth(['-H', d.host, ...args], { timeoutMs: 30_000 });
    const hello = await b(['run', '--rm', 'busybox', 'echo', 'hello']);
    assert.equal(hello.code, 0, hello.stderr);
    assert.equal(hello.stdout, 'hello\n');
    const seven = await b([
      'run',
      '--name',
      'bseven',
      'busybox',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 7',
    ]);
    assert.equal(seven.code, 7);
    assert.equal(seven.stdout, 'out\n');
    assert.equal(seven.stderr, 'err\n');
    assert.equal((await b(['logs', 'bseven'])).stdout, 'out\n');
    const detached = await b(['run', '-d', '--name', 'bg', 'busybox', 'sleep', '100']);
    assert.match(detached.stdout.trim(), /^[0-9a-f]{64}$/);
    assert.equal((await b(['ps', '--format', '{{.Names}}'])).stdout.trim(), 'bg');
    const columns = (text: string): string[] => (text.split('\n')[0] ?? '').split(/\s{2,}/);
    assert.deepEqual(columns((await b(['ps'])).stdout), columns((await dk(['ps'])).stdout));
    assert.equal((await b(['stop', '-t', '0', 'bg'])).stdout.trim(), 'bg');
    assert.equal((await b(['rm', 'bg', 'bseven'])).code, 0);
    const missing = await b(['run', 'nosuchimage']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /No such image: nosuchimage:latest/);
  });

  it('enforces --read-only, --tmpfs, --cap-drop, --pids-limit, --memory, -u, --init, no-new-privileges, ulimits, seccomp', async () => {
    const ro = await dk(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
    assert.equal(ro.code, 1);
    assert.match(ro.stderr, /Read-only file system/);
    const tmpfs = await dk([
      'run',
      '--rm',
      '--read-only',
      '--tmpfs',
      '/tmp',
      'busybox',
      'sh',
      '-c',
      'touch /tmp/x && echo ok',
    ]);
    assert.equal(tmpfs.stdout, 'ok\n');
    const capDrop = await dk([
      'run',
      '--rm',
      '--cap-drop',
      'CHOWN',
      'busybox',
      'chown',
      '1',
      '/tmp',
    ]);
    assert.equal(capDrop.code, 1);
    assert.match(capDrop.stderr, /Operation not permitted/);
    const pids = await dk([
      'run',
      '--rm',
      '--pids-limit',
      '20',
      'busybox',
      'sh',
      '-c',
      'i=0; while [ $i -lt 40 ]; do sleep 3 & i=$((i+1)); done; wait',
    ]);
    // The limit leaves room for runc's own init (several threads in the cgroup), not for 40 sleeps.
    assert.match(pids.stderr, /can't fork/);
    const memory = await dk([
      'run',
      '--rm',
      '--memory',
      '32m',
      'busybox',
      'cat',
      '/sys/fs/cgroup/memory/memory.limit_in_bytes',
    ]);
    assert.equal(memory.stdout.trim(), String(32 * 1024 * 1024));
    const user = await dk(['run', '--rm', '-u', 'nobody', 'busybox', 'id']);
    // Docker's supplementary groups: the primary group, then the memberships.
    assert.equal(user.stdout.trim(), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)');
    const root = await dk(['run', '--rm', 'busybox', 'id']);
    assert.equal(root.stdout.trim(), 'uid=0(root) gid=0(root) groups=0(root),10(wheel)');
    const numeric = await dk(['run', '--rm', '-u', '1234:5678', 'busybox', 'id']);
    assert.equal(numeric.stdout.trim(), 'uid=1234 gid=5678 groups=5678');
    const init = await dk(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,comm']);
    assert.match(init.stdout, /^\s*1 docker-init$/m);
    const nnp = await dk([
      'run',
      '--rm',
      '--security-opt',
      'no-new-privileges',
      'busybox',
      'grep',
      'NoNewPrivs',
      '/proc/self/status',
    ]);
    assert.match(nnp.stdout, /NoNewPrivs:\s+1/);
    const ulimit = await dk([
      'run',
      '--rm',
      '--ulimit',
      'nofile=100:200',
      'busybox',
      'sh',
      '-c',
      'ulimit -n',
    ]);
    assert.equal(ulimit.stdout.trim(), '100');
    const privileged = await dk([
      'run',
      '--rm',
      '--privileged',
      'busybox',
      'grep',
      'CapEff',
      '/proc/self/status',
    ]);
    assert.equal(privileged.code, 0, privileged.stderr);
    assert.notEqual(
      privileged.stdout.trim(),
      'CapEff:\t00000000a80425fb',
      'more than the default set',
    );
    const confined = await dk(['run', '--rm', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']);
    assert.match(confined.stdout, /Seccomp:\s+2/, 'a seccomp filter is in force');
    // The filter covers the ABIs this kernel runs: i386 always, x32 only where the kernel has it
    // (this one's config says whether); an ABI it cannot run only costs runc time.
    const sleeper = await dk(['run', '-d', 'busybox', 'sleep', '30']);
    assert.equal(sleeper.code, 0, sleeper.stderr);
    const id = sleeper.stdout.trim();
    const spec = JSON.parse(
      readFileSync(join(d.execRoot, 'bundles', id, 'config.json'), 'utf8'),
    ) as { linux: { seccomp: { architectures: string[] } } };
    const kernelConfig = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
    const x32 = /^CONFIG_X86_X32(_ABI)?=y$/m.test(kernelConfig);
    assert.deepEqual(spec.linux.seccomp.architectures, [
      'SCMP_ARCH_X86_64',
      'SCMP_ARCH_X86',
      ...(x32 ? ['SCMP_ARCH_X32'] : []),
    ]);
    assert.equal((await dk(['run', '--rm', 'busybox', 'linux32', 'uname', '-m'])).stdout, 'i686\n');
    assert.equal((await dk(['rm', '-f', id])).code, 0);
    const unconfined = await dk([
      'run',
      '--rm',
      '--security-opt',
      'seccomp=unconfined',
      'busybox',
      'grep',
      'Seccomp:',
      '/proc/self/status',
    ]);
    assert.match(unconfined.stdout, /Seccomp:\s+0/);
    const before = (await dk(['ps', '-aq'])).stdout;
    const missing = await dk(['run', '--rm', 'busybox', '/nonexistent']);
    assert.equal(missing.code, 127);
    // Docker's words, containerd's part included.
    assert.match(
      missing.stderr,
      /^docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "\/nonexistent": stat \/nonexistent: no such file or directory: unknown$/m,
    );
    assert.equal(
      (await dk(['ps', '-aq'])).stdout,
      before,
      '--rm removed the container that could not start',
    );
  });

  it('ps: exited, before/since, publish/expose filters, and -n/-l take every state', async () => {
    const names = async (...args: string[]): Promise<string[]> =>
      (await dk(['ps', ...args, '--format', '{{.Names}}'])).stdout
        .split('\n')
        .filter((n) => n.startsWith('f-'));
    assert.equal((await dk(['run', '--name', 'f-zero', 'busybox', 'true'])).code, 0);
    assert.equal((await dk(['run', '--name', 'f-three', 'busybox', 'sh', '-c', 'exit 3'])).code, 3);
    const up = await dk([
      'run',
      '-d',
      '--name',
      'f-up',
      '--expose',
      '7000',
      '-p',
      '127.0.0.1:18080:8080/udp',
      'busybox',
      'sleep',
      '100',
    ]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await dk(['create', '--name', 'f-new', 'busybox'])).code, 0);
    assert.deepEqual(await names('-a', '--filter', 'exited=3'), ['f-three']);
    assert.deepEqual(await names('-a', '--filter', 'exited=0'), ['f-zero']);
    assert.deepEqual(await names('-a', '--filter', 'before=f-three'), ['f-zero']);
    assert.deepEqual(await names('--filter', 'since=f-three'), ['f-up']);
    assert.deepEqual(await names('-a', '--filter', 'since=f-three'), ['f-new', 'f-up']);
    // expose: the container's port; publish: the host's (Docker's reading of Ports).
    assert.deepEqual(await names('--filter', 'expose=7000'), ['f-up']);
    assert.deepEqual(await names('--filter', 'expose=6000-7999/tcp'), ['f-up']);
    assert.deepEqual(await names('--filter', 'publish=18080/udp'), ['f-up']);
    assert.deepEqual(await names('--filter', 'publish=8080/udp'), []);
    assert.deepEqual(await names('-l'), ['f-new']);
    assert.deepEqual(await names('-n', '2'), ['f-new', 'f-up']);
    const bad = await dk(['ps', '--filter', 'exited=x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /strconv.Atoi: parsing "x": invalid syntax/);
    assert.equal((await dk(['rm', '-f', 'f-zero', 'f-three', 'f-up', 'f-new'])).code, 0);
  });

  it("--entrypoint '', /etc/hosts without a network, and create-time checks as Docker's", async () => {
    // An empty entrypoint means none: the command runs as given (not the image's Cmd).
    const none = await dk(['run', '--rm', '--entrypoint', '', 'busybox', 'echo', 'hi']);
    assert.equal(none.stdout, 'hi\n', none.stderr);
    const bare = await dk(['create', '--entrypoint', '', 'busybox']);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /No command specified/);
    const own = await dk(['create', '--name', 'ep', '--entrypoint', 'echo', 'busybox']);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(
      (
        await dk([
          'inspect',
          '-f',
          '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Path}} {{.Args}}',
          'ep',
        ])
      ).stdout.trim(),
      '["echo"] null echo []',
      "an entrypoint of one's own drops the image's Cmd",
    );
    assert.equal((await dk(['rm', 'ep'])).code, 0);
    // No address, so no line for the container's name; --add-host lines stay.
    const hosts = await dk([
      'run',
      '--rm',
      '--network',
      'none',
      '--hostname',
      'solo',
      '--add-host',
      'db:10.1.2.3',
      'busybox',
      'cat',
      '/etc/hosts',
    ]);
    assert.equal(hosts.code, 0, hosts.stderr);
    assert.doesNotMatch(hosts.stdout, /solo/);
    assert.match(hosts.stdout, /^10\.1\.2\.3\tdb$/m);
    assert.match(hosts.stdout, /^127\.0\.0\.1\tlocalhost$/m);
    // The host network sees the host's own file, unless --add-host asks for lines.
    const onHost = await dk(['run', '--rm', '--network', 'host', 'busybox', 'cat', '/etc/hosts']);
    assert.equal(onHost.stdout, readFileSync('/etc/hosts', 'utf8'));
    const gw = await dk([
      'run',
      '--rm',
      '--network',
      'host',
      '--add-host',
      'gw:host-gateway',
      'busybox',
      'cat',
      '/etc/hosts',
    ]);
    const bridgeGateway = (
      await dk(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge'])
    ).stdout.trim();
    assert.match(gw.stdout, new RegExp(`^${bridgeGateway.replace(/\./g, '\\.')}\tgw$`, 'm'));
    assert.equal(gw.stdout.split('\n').filter(Boolean).length, 7, "Docker's six lines and gw");
    // Refused at create, with Docker's messages, and nothing made.
    const before = (await dk(['ps', '-aq'])).stdout;
    for (const [args, message] of [
      [['--cap-add', 'nosuch'], /invalid CapAdd: unknown capability: "CAP_NOSUCH"/],
      [['--cap-drop', 'CAP_BOGUS'], /invalid CapDrop: unknown capability: "CAP_BOGUS"/],
      [
        ['--memory', '10m', '--memory-swap', '5m'],
        /Minimum memoryswap limit should be larger than memory limit, see usage/,
      ],
    ] as const) {
      const r = await dk(['create', ...args, 'busybox', 'true']);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, message);
    }
    const swapAlone = await apiRequest(
      d.socket,
      'POST',
      '/containers/create',
      JSON.stringify({ Image: 'busybox', Cmd: ['true'], HostConfig: { MemorySwap: 64 << 20 } }),
    );
    assert.equal(swapAlone.status, 400);
    assert.match(
      swapAlone.body,
      /You should always set the Memory limit when using Memoryswap limit/,
    );
    assert.equal((await dk(['ps', '-aq'])).stdout, before);
  });

  it("--pid, --ipc, --uts and --cgroupns: their own, the host's, or another container's", async () => {
    const ns = (kind: string): string => readlinkSync(`/proc/self/ns/${kind}`);
    const run = async (args: string[], script: string): Promise<string> => {
      const r = await dk([
        'run',
        '--rm',
        '--network',
        'none',
        ...args,
        'busybox',
        'sh',
        '-c',
        script,
      ]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    const links = 'for n in pid ipc uts cgroup; do readlink /proc/self/ns/$n; done';
    const own = (await run([], links)).split('\n');
    assert.notEqual(own[0], ns('pid'));
    assert.notEqual(own[1], ns('ipc'));
    assert.notEqual(own[2], ns('uts'));
    assert.equal(own[3], ns('cgroup'), "berth's default: the host's cgroup namespace");
    const shared = (
      await run(['--pid', 'host', '--ipc', 'host', '--uts', 'host', '--cgroupns', 'private'], links)
    ).split('\n');
    assert.deepEqual(shared.slice(0, 3), [ns('pid'), ns('ipc'), ns('uts')]);
    assert.notEqual(shared[3], ns('cgroup'));
    // The host's processes, its name, and its /dev/shm.
    assert.equal(
      await run(['--pid', 'host'], 'cat /proc/1/comm'),
      readFileSync('/proc/1/comm', 'utf8').trim(),
    );
    assert.equal(await run(['--uts', 'host'], 'hostname'), hostname());
    const shmName = `berth-ipc-test-${process.pid}`;
    try {
      assert.equal(
        await run(['--ipc', 'host'], `echo shared > /dev/shm/${shmName}; echo ok`),
        'ok',
      );
      assert.equal(readFileSync(`/dev/shm/${shmName}`, 'utf8'), 'shared\n');
    } finally {
      rmSync(`/dev/shm/${shmName}`, { force: true });
    }
    assert.equal(await run(['--ipc', 'none'], 'grep -c " /dev/shm " /proc/mounts || true'), '0');
    // Another container's pid namespace, while it runs.
    assert.equal(
      (await dk(['run', '-d', '--name', 'pidowner', 'busybox', 'sleep', '300'])).code,
      0,
    );
    assert.match(await run(['--pid', 'container:pidowner'], 'ps -o args'), /sleep 300/);
    assert.equal((await dk(['stop', '-t', '0', 'pidowner'])).code, 0);
    const late = await dk(['run', '--rm', '--pid', 'container:pidowner', 'busybox', 'true']);
    assert.notEqual(late.code, 0);
    assert.match(late.stderr, /cannot join PID of a non running container: [0-9a-f]{64}/);
    assert.equal((await dk(['rm', 'pidowner'])).code, 0);
    // Refused at create, with Docker's words (and berth's, for what it cannot do yet).
    for (const [body, message] of [
      [{ PidMode: 'container' }, 'invalid PID mode: container'],
      [{ IpcMode: 'bogus' }, 'invalid IPC mode: bogus'],
      [{ UTSMode: 'bogus' }, 'invalid UTS mode: bogus'],
      [{ CgroupnsMode: 'bogus' }, 'invalid cgroup namespace mode: bogus'],
      [
        { IpcMode: 'container:x' },
        'IPC mode container:x is not supported by berth yet: containers cannot share /dev/shm',
      ],
    ] as const) {
      const r = await apiRequest(
        d.socket,
        'POST',
        '/containers/create',
        JSON.stringify({ Image: 'busybox', Cmd: ['true'], HostConfig: body }),
      );
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(JSON.parse(r.body).message, message);
    }
    const conflicting = await dk(['create', '--uts', 'host', '--hostname', 'x', 'busybox']);
    assert.equal(conflicting.code, 1);
    assert.match(conflicting.stderr, /Conflicting options: hostname and the UTS mode/);
  });

  it('applies --memory-reservation, --memory-swappiness, --oom-kill-disable, --cpu-quota/period, --cpuset-mems, --blkio-weight', async () => {
    const cg = '/sys/fs/cgroup';
    const r = await dk([
      'run',
      '--rm',
      '--network',
      'none',
      '--memory',
      '64m',
      '--memory-reservation',
      '16m',
      '--memory-swappiness',
      '10',
      '--oom-kill-disable',
      '--cpu-period',
      '50000',
      '--cpu-quota',
      '25000',
      '--cpuset-mems',
      '0',
      'busybox',
      'sh',
      '-c',
      `cat ${cg}/memory/memory.soft_limit_in_bytes ${cg}/memory/memory.swappiness; grep oom_kill_disable ${cg}/memory/memory.oom_control; cat ${cg}/cpu/cpu.cfs_period_us ${cg}/cpu/cpu.cfs_quota_us ${cg}/cpuset/cpuset.mems`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${16 << 20}\n10\noom_kill_disable 1\n50000\n25000\n0\n`);
    // Kept in HostConfig as sent.
    await dk(['rm', '-f', 'kept-limits']);
    assert.equal(
      (
        await dk([
          'create',
          '--name',
          'kept-limits',
          '--memory-reservation',
          '16m',
          '--cpu-quota',
          '25000',
          'busybox',
        ])
      ).code,
      0,
    );
    assert.equal(
      (
        await dk([
          'inspect',
          '-f',
          '{{.HostConfig.MemoryReservation}} {{.HostConfig.CpuQuota}}',
          'kept-limits',
        ])
      ).stdout.trim(),
      `${16 << 20} 25000`,
    );
    assert.equal((await dk(['rm', 'kept-limits'])).code, 0);
    // A weight the host cannot apply is dropped with Docker's warning (applied where it can).
    const support = detectHostLimitSupport(detectCgroups().version);
    const weighted = await dk([
      'run',
      '--rm',
      '--network',
      'none',
      '--blkio-weight',
      '300',
      'busybox',
      'true',
    ]);
    assert.equal(weighted.code, 0, weighted.stderr);
    assert.equal(
      /Your kernel does not support Block I\/O weight or the cgroup is not mounted\. Weight discarded\./.test(
        weighted.stderr,
      ),
      !support.blkioWeight,
      weighted.stderr,
    );
    for (const [args, message] of [
      [
        ['--cpu-period', '999'],
        /CPU cfs period can not be less than 1ms \(i\.e\. 1000\) or larger than 1 second \(i\.e\. 1000000\)/,
      ],
      [
        ['--cpus', '1', '--cpu-quota', '50000'],
        /Conflicting options: Nano CPUs and CPU Quota cannot both be set/,
      ],
      [
        ['--memory', '16m', '--memory-reservation', '32m'],
        /Minimum memory limit can not be less than memory reservation limit, see usage/,
      ],
    ] as const) {
      const bad = await dk(['create', ...args, 'busybox', 'true']);
      assert.equal(bad.code, 1, args.join(' '));
      assert.match(bad.stderr, message);
    }
    // update --pids-limit -1 (or 0) lifts the limit; Docker keeps it as 0.
    assert.equal(
      (await dk(['run', '-d', '--name', 'pidcap', '--pids-limit', '9', 'busybox', 'sleep', '300']))
        .code,
      0,
    );
    const id = (await dk(['inspect', '-f', '{{.Id}}', 'pidcap'])).stdout.trim();
    assert.equal(readFileSync(`${cg}/pids/berth/${id}/pids.max`, 'utf8').trim(), '9');
    assert.equal((await dk(['update', '--pids-limit', '-1', 'pidcap'])).code, 0);
    assert.equal(readFileSync(`${cg}/pids/berth/${id}/pids.max`, 'utf8').trim(), 'max');
    assert.equal(
      (await dk(['inspect', '-f', '{{.HostConfig.PidsLimit}}', 'pidcap'])).stdout.trim(),
      '0',
    );
    assert.equal((await dk(['rm', '-f', 'pidcap'])).code, 0);
  });

  it('ps -s, inspect -s, system df and container prune weigh what containers wrote', async () => {
    const label = ['--label', 'sizes=1'];
    // 5000 bytes, a hard link to them (counted once), 3 more: 5003, as Docker counts SizeRw.
    const write = 'head -c 5000 /dev/zero > /big; ln /big /big2; echo hi > /etc/x';
    assert.equal(
      (await dk(['run', ...label, '--name', 's-wrote', 'busybox', 'sh', '-c', write])).code,
      0,
    );
    assert.equal(
      (await dk(['run', '-d', ...label, '--name', 's-up', 'busybox', 'sleep', '100'])).code,
      0,
    );
    const image = Number((await dk(['image', 'inspect', '-f', '{{.Size}}', 'busybox'])).stdout);
    assert.ok(image > 1_000_000, String(image));
    const sized = await dk([
      'inspect',
      '-s',
      '-f',
      '{{.SizeRw}} {{.SizeRootFs}}',
      's-wrote',
      's-up',
    ]);
    assert.equal(sized.stdout, `5003 ${image + 5003}\n0 ${image}\n`);
    // Without -s there are none, as with Docker (nil).
    assert.equal((await dk(['inspect', '-f', '{{.SizeRw}}', 's-up'])).stdout.trim(), '<nil>');
    const virtual = `${(image / 1e6).toPrecision(3)}MB`;
    const ps = await dk([
      'ps',
      '-a',
      '-s',
      '--filter',
      'label=sizes',
      '--format',
      '{{.Names}}: {{.Size}}',
    ]);
    assert.equal(ps.stdout, `s-up: 0B (virtual ${virtual})\ns-wrote: 5kB (virtual ${virtual})\n`);
    // The Docker CLI asks for sizes itself when the format names them.
    const table = await dk(['ps', '-a', '-s', '--filter', 'label=sizes']);
    assert.match(table.stdout.split('\n')[0] ?? '', /NAMES\s+SIZE$/);

    const df = JSON.parse((await apiRequest(d.socket, 'GET', '/system/df')).body) as {
      Containers: { Names: string[]; SizeRw?: number; SizeRootFs?: number; State: string }[];
      Images: { RepoTags: string[]; Containers: number }[];
    };
    const wrote = df.Containers.find((c) => c.Names[0] === '/s-wrote');
    assert.deepEqual([wrote?.SizeRw, wrote?.SizeRootFs], [5003, image + 5003]);
    const up = df.Containers.find((c) => c.Names[0] === '/s-up');
    assert.deepEqual([up?.SizeRw, up?.SizeRootFs, up?.State], [undefined, image, 'running']);
    const busybox = df.Images.find((i) => i.RepoTags.includes('busybox:latest'));
    assert.equal(busybox?.Containers, df.Containers.length);
    const rows = await dk(['system', 'df', '--format', '{{.Type}}: {{.TotalCount}} {{.Active}}']);
    assert.match(rows.stdout, new RegExp(`^Containers: ${df.Containers.length} [1-9]`, 'm'));

    // Prune: the stopped one goes, with what it wrote; the running one stays.
    const badUntil = await dk(['container', 'prune', '-f', '--filter', 'until=xyz']);
    assert.equal(badUntil.code, 1);
    assert.match(badUntil.stderr, /failed to parse value as time or duration: "xyz"/);
    const badKey = await dk(['container', 'prune', '-f', '--filter', 'nosuch=1']);
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /Invalid filter 'nosuch'/);
    const old = await dk([
      'container',
      'prune',
      '-f',
      '--filter',
      'label=sizes',
      '--filter',
      'until=1h',
    ]);
    assert.equal(old.stdout, 'Total reclaimed space: 0B\n', 'none is an hour old');
    const wroteId = (await dk(['inspect', '-f', '{{.Id}}', 's-wrote'])).stdout.trim();
    const pruned = await dk(['container', 'prune', '-f', '--filter', 'label=sizes']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.equal(
      pruned.stdout,
      `Deleted Containers:\n${wroteId}\n\nTotal reclaimed space: 5.003kB\n`,
    );
    assert.equal(
      (await dk(['ps', '-aq', '--filter', 'label=sizes'])).stdout.split('\n').filter(Boolean)
        .length,
      1,
    );
    assert.equal((await dk(['rm', '-f', 's-up'])).code, 0);
  });

  it("emits Docker's events for exec, stop (a kill per signal, by number) and untag", async () => {
    // To the millisecond: the tests before may have used the none network in the same second.
    const since = (Date.now() / 1000).toFixed(3);
    assert.equal(
      (await dk(['run', '-d', '--network', 'none', '--name', 'ev', 'busybox', 'sleep', '100']))
        .code,
      0,
    );
    assert.equal((await dk(['exec', 'ev', 'true'])).code, 0);
    assert.equal(
      (await dk(['run', '--rm', '--network', 'none', '--name', 'ev0', 'busybox', 'true'])).code,
      0,
    );
    assert.equal((await dk(['stop', '-t', '0', 'ev'])).code, 0);
    assert.equal((await dk(['rm', 'ev'])).code, 0);
    assert.equal((await dk(['tag', 'busybox', 'evtag:1'])).code, 0);
    assert.equal((await dk(['rmi', 'evtag:1'])).code, 0);
    const id = (await dk(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
    const until = String(Math.ceil(Date.now() / 1000) + 1);
    const events = async (filter: string): Promise<string[]> =>
      (
        await dk([
          'events',
          '--since',
          since,
          '--until',
          until,
          '--filter',
          filter,
          '--format',
          '{{.Type}} {{.Action}}|{{index .Actor.Attributes "name"}}|{{index .Actor.Attributes "signal"}}',
        ])
      ).stdout
        .trim()
        .split('\n');
    assert.deepEqual(await events('container=ev'), [
      'container create|ev|',
      'container start|ev|',
      'container exec_create: true |ev|',
      'container exec_start: true |ev|',
      'container exec_die|ev|',
      'container kill|ev|15',
      'container kill|ev|9',
      'container die|ev|',
      'container stop|ev|',
      'container destroy|ev|',
    ]);
    // A client attaching, and the none network's connect and disconnect.
    assert.deepEqual(await events('container=ev0'), [
      'container create|ev0|',
      'container attach|ev0|',
      'container start|ev0|',
      'container die|ev0|',
      'container destroy|ev0|',
    ]);
    assert.deepEqual(await events('network=none'), [
      'network connect|none|', // ev
      'network connect|none|', // ev0, which ends while ev runs
      'network disconnect|none|',
      'network disconnect|none|', // ev
    ]);
    assert.deepEqual(
      (await events('type=image')).filter((l) => /^image (tag|untag)\|/.test(l)),
      ['image tag|evtag:1|', `image untag|${id}|`],
    );
  });

  it('--device: a node under another name, a directory of them, a cgroup mode, a missing one', async () => {
    const renamed = await dk([
      'run',
      '--rm',
      '--device',
      '/dev/null:/dev/mynull',
      'busybox',
      'ls',
      '-l',
      '/dev/mynull',
    ]);
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.match(renamed.stdout, /^crw-rw-rw-\s+1 root\s+root\s+1,\s+3 .* \/dev\/mynull$/m);
    const nodes = await mkdtemp(join(tmpdir(), 'berth-devices-'));
    try {
      await mkdir(join(nodes, 'sub'));
      await execFileP('mknod', [join(nodes, 'null'), 'c', '1', '3']);
      await execFileP('mknod', [join(nodes, 'sub', 'zero'), 'c', '1', '5']);
      await writeFile(join(nodes, 'not-a-device'), 'x');
      const dir = await dk([
        'run',
        '--rm',
        '--device',
        `${nodes}:/dev/mine`,
        'busybox',
        'sh',
        '-c',
        'cd /dev/mine && find . | sort && head -c 2 sub/zero | wc -c',
      ]);
      assert.equal(dir.code, 0, dir.stderr);
      assert.equal(dir.stdout, '.\n./null\n./sub\n./sub/zero\n2\n');
    } finally {
      await rm(nodes, { recursive: true, force: true });
    }
    // The mode is the devices cgroup's rule for that node (kmsg's numbers: never opened).
    const kmsg = await mkdtemp(join(tmpdir(), 'berth-devices-'));
    try {
      await execFileP('mknod', [join(kmsg, 'kmsg'), 'c', '1', '11']);
      const rule = await dk([
        'run',
        '--rm',
        '--device',
        `${join(kmsg, 'kmsg')}:/dev/k:r`,
        'busybox',
        'cat',
        '/sys/fs/cgroup/devices/devices.list',
      ]);
      assert.equal(rule.code, 0, rule.stderr);
      assert.match(rule.stdout, /^c 1:11 r$/m);
    } finally {
      await rm(kmsg, { recursive: true, force: true });
    }
    const missing = await dk(['run', '--rm', '--device', '/dev/nope', 'busybox', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.stderr,
      /error gathering device information while adding custom device "\/dev\/nope": no such file or directory/,
    );
    const badMode = await apiRequest(
      d.socket,
      'POST',
      '/containers/create',
      JSON.stringify({
        Image: 'busybox',
        HostConfig: { Devices: [{ PathOnHost: '/dev/null', CgroupPermissions: 'rwx' }] },
      }),
    );
    assert.equal(badMode.status, 400);
    assert.match(badMode.body, /invalid device mode: rwx/);
  });

  it('survives a daemon killed with SIGKILL: still running, same pid, manageable', async () => {
    const run = await dk([
      'run',
      '-d',
      '--name',
      'survivor',
      'busybox',
      'sh',
      '-c',
      'echo before; sleep 1000',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const pid = (await dk(['inspect', '--format', '{{.State.Pid}}', 'survivor'])).stdout.trim();
    const quick = await dk([
      'run',
      '-d',
      '--name',
      'quick',
      'busybox',
      'sh',
      '-c',
      'sleep 1; exit 3',
    ]);
    assert.equal(quick.code, 0);
    // A crash between an --rm's removal of the record and of the files (done in the
    // background after `wait` is answered): its exit, then no record while the daemon is down.
    const removed = await dk(['run', '-d', '--rm', 'busybox', 'sleep', '2']);
    assert.equal(removed.code, 0, removed.stderr);
    const removedId = removed.stdout.trim();
    const layer = dirname(
      (await dk(['inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', removedId])).stdout.trim(),
    );
    const removedFiles = [
      layer,
      join(d.dataRoot, 'containers', removedId),
      join(d.execRoot, 'containers', removedId),
      join(d.execRoot, 'runc', removedId),
      `/sys/fs/cgroup/pids/berth/${removedId}`,
    ];
    assert.deepEqual(
      removedFiles.filter((p) => !existsSync(p)),
      [],
      'all there while it runs',
    );
    d.process.kill('SIGKILL');
    await d.exited;
    await new Promise((r) => setTimeout(r, 2500));
    const db = new Database(join(d.dataRoot, 'berth.db'));
    try {
      assert.equal(db.prepare('DELETE FROM containers WHERE id = ?').run(removedId).changes, 1);
    } finally {
      db.close();
    }
    const dir = d.dir;
    d = await startDaemon({ reuseDir: dir });
    await waitFor(
      'start-up to remove what no record refers to',
      async () => removedFiles.every((p) => !existsSync(p)),
      10_000,
    );
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(layer), false);
    const state = await dk(['inspect', '--format', '{{.State.Status}} {{.State.Pid}}', 'survivor']);
    assert.equal(state.stdout.trim(), `running ${pid}`);
    await waitFor(
      'the exit of the container that ended meanwhile',
      async () =>
        (await dk(['inspect', '--format', '{{.State.Status}}', 'quick'])).stdout.trim() ===
        'exited',
    );
    assert.equal(
      (await dk(['inspect', '--format', '{{.State.ExitCode}}', 'quick'])).stdout.trim(),
      '3',
    );
    assert.equal((await dk(['logs', 'survivor'])).stdout, 'before\n');
    // exec looks users up in the root filesystem, which is mounted (counted) again.
    const user = await dk(['exec', '-u', 'nobody', 'survivor', 'id', '-un']);
    assert.equal(user.stdout, 'nobody\n', user.stderr);
    const merged = (
      await dk(['inspect', '-f', '{{.GraphDriver.Data.MergedDir}}', 'survivor'])
    ).stdout.trim();
    const stop = await dk(['stop', '-t', '1', 'survivor']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal((await dk(['rm', 'survivor', 'quick'])).code, 0);
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(merged), false);
  });

  it('keeps running containers across a daemon stopped with SIGTERM, their files reachable', async () => {
    const run = await dk(['run', '-d', '--name', 'calm', 'busybox', 'sleep', '1000']);
    assert.equal(run.code, 0, run.stderr);
    const pid = (await dk(['inspect', '--format', '{{.State.Pid}}', 'calm'])).stdout.trim();
    const merged = (
      await dk(['inspect', '-f', '{{.GraphDriver.Data.MergedDir}}', 'calm'])
    ).stdout.trim();
    d.process.kill('SIGTERM');
    assert.equal((await d.exited).code, 0);
    d = await startDaemon({ reuseDir: d.dir });
    const state = await dk(['inspect', '--format', '{{.State.Status}} {{.State.Pid}}', 'calm']);
    assert.equal(state.stdout.trim(), `running ${pid}`);
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(merged), true);
    const user = await dk(['exec', '-u', 'nobody', 'calm', 'id', '-un']);
    assert.equal(user.stdout, 'nobody\n', user.stderr);
    assert.equal((await dk(['rm', '-f', 'calm'])).code, 0);
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(merged), false);
  });
});
