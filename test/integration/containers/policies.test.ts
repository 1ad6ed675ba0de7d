// Restart policies (with Docker's back-off, and resumed after a daemon killed with SIGKILL),
// docker restart, pause/unpause, and the OOM killer's verdict, through the real Docker CLI.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { apiRequest, messageOf } from '../../helpers/api.js';
import { docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

describe('restart policies, restart, pause, OOM', () => {
  let d: TestDaemon;
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 60_000 });
  const ok = async (args: string[]): Promise<string> => {
    const r = await dk(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const inspect = async (name: string, format: string): Promise<string> => {
    const r = await dk(['inspect', '-f', format, name]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  before(async () => {
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
  });
  after(async () => {
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    // rm -f must win over the restart policies (on-failure sees SIGKILL's 137 as a failure).
    const removed = ids.length > 0 ? await dk(['rm', '-f', ...ids]) : undefined;
    const dir = d.dir;
    await d?.cleanup();
    await rm(dir, { recursive: true, force: true });
    assert.equal(removed?.code ?? 0, 0, removed?.stderr);
  });

  it('on-failure:N restarts a failing container N times, then leaves it exited', async () => {
    const r = await dk([
      'run',
      '-d',
      '--name',
      'flaky',
      '--restart',
      'on-failure:3',
      'busybox',
      'sh',
      '-c',
      'exit 2',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(
      'three restarts',
      async () => (await inspect('flaky', '{{.State.Status}} {{.RestartCount}}')) === 'exited 3',
      20_000,
    );
    assert.equal(await inspect('flaky', '{{.State.ExitCode}}'), '2');
    // A success is not a failure: on-failure does not restart it.
    assert.equal(
      (await dk(['run', '-d', '--name', 'fine', '--restart', 'on-failure', 'busybox', 'true']))
        .code,
      0,
    );
    await waitFor(
      'the exit',
      async () => (await inspect('fine', '{{.State.Status}}')) === 'exited',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await inspect('fine', '{{.RestartCount}}'), '0');
  });

  it('always restarts after an exit, not after docker kill or docker stop (as Docker)', async () => {
    // A signal other than the stop signal that ends the process is an exit like any other.
    const trap = ['sh', '-c', 'trap "exit 5" USR1; sleep 300 & wait'];
    await ok([
      'run',
      '-d',
      '--name',
      'phoenix',
      '--restart',
      'always',
      '--stop-signal',
      'USR2',
      'busybox',
      ...trap,
    ]);
    const firstPid = await inspect('phoenix', '{{.State.Pid}}');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the trap is set
    await ok(['kill', '-s', 'USR1', 'phoenix']);
    await waitFor(
      'a restart after the exit',
      async () => {
        const [status, count, pid] = (
          await inspect('phoenix', '{{.State.Status}} {{.RestartCount}} {{.State.Pid}}')
        ).split(' ');
        return status === 'running' && count === '1' && pid !== firstPid;
      },
      20_000,
    );
    const bad = await dk(['kill', '-s', 'NOSUCH', 'phoenix']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid signal: NOSUCH/);
    // docker kill (SIGKILL, or the stop signal) is a stop by the user, as docker stop is.
    await ok(['kill', 'phoenix']);
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(
      await inspect('phoenix', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}'),
      'exited 137 1',
    );
    await ok(['start', 'phoenix']);
    await ok(['stop', '-t', '1', 'phoenix']);
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(await inspect('phoenix', '{{.State.Status}} {{.RestartCount}}'), 'exited 0');
    // Without a stop signal of its own, any signal docker kill sends is a stop.
    await ok(['run', '-d', '--name', 'nostopsignal', '--restart', 'always', 'busybox', ...trap]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await ok(['kill', '-s', 'USR1', 'nostopsignal']);
    await waitFor(
      'the exit',
      async () => (await inspect('nostopsignal', '{{.State.Status}}')) === 'exited',
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(
      await inspect('nostopsignal', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}'),
      'exited 5 0',
    );
  });

  it('refuses inconsistent policies', async () => {
    const body = (policy: object, autoRemove = false): string =>
      JSON.stringify({
        Image: 'busybox',
        Cmd: ['true'],
        HostConfig: { RestartPolicy: policy, AutoRemove: autoRemove },
      });
    const cases: [string, string][] = [
      [body({ Name: 'sometimes' }), "invalid restart policy 'sometimes'"],
      [
        body({ Name: 'on-failure', MaximumRetryCount: -1 }),
        'invalid restart policy: maximum retry count cannot be negative',
      ],
      [
        body({ Name: 'always', MaximumRetryCount: 2 }),
        "invalid restart policy: maximum retry count can only be used with 'on-failure'",
      ],
      [body({ Name: 'always' }, true), "can't create 'AutoRemove' container with restart policy"],
    ];
    for (const [request, message] of cases) {
      const r = await apiRequest(d.socket, 'POST', '/containers/create', request);
      assert.equal(r.status, 400, request);
      assert.equal(messageOf(r), message);
    }
  });

  it("docker stop without -t waits the container's --stop-timeout before SIGKILL", async () => {
    const since = (Date.now() / 1000).toFixed(3);
    await ok(['run', '-d', '--name', 'patient', '--stop-timeout', '1', 'busybox', 'sleep', '300']);
    assert.equal(await inspect('patient', '{{.Config.StopTimeout}}'), '1');
    await ok(['stop', 'patient']); // sleep as pid 1 ignores SIGTERM: SIGKILL ends it
    const kills = (
      await ok([
        'events',
        '--since',
        since,
        '--until',
        String(Math.ceil(Date.now() / 1000) + 1),
        '--filter',
        'container=patient',
        '--filter',
        'event=kill',
        '--format',
        '{{.Actor.Attributes.signal}} {{.TimeNano}}',
      ])
    )
      .split('\n')
      .map((l) => l.split(' '));
    assert.deepEqual(
      kills.map(([signal]) => signal),
      ['15', '9'],
    );
    const waitedMs = Number(BigInt(kills[1]?.[1] ?? '0') - BigInt(kills[0]?.[1] ?? '0')) / 1e6;
    // Its own second, not the default ten.
    assert.ok(waitedMs >= 900 && waitedMs < 5000, String(waitedMs));
    await ok(['rm', 'patient']);
  });

  it('docker restart stops and starts again, with a new pid', async () => {
    assert.equal((await dk(['run', '-d', '--name', 'again', 'busybox', 'sleep', '300'])).code, 0);
    const before = await inspect('again', '{{.State.Pid}} {{.State.StartedAt}}');
    const r = await dk(['restart', '-t', '1', 'again']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'again');
    const after = await inspect('again', '{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}}');
    assert.equal(after.split(' ')[0], 'running');
    assert.notEqual(after.split(' ').slice(1).join(' '), before);
    // A stopped container just starts.
    assert.equal((await dk(['stop', '-t', '1', 'again'])).code, 0);
    assert.equal((await dk(['restart', 'again'])).code, 0);
    assert.equal(await inspect('again', '{{.State.Status}}'), 'running');
  });

  it('docker restart of a container with a restart policy starts it once', async () => {
    // The exit of the stop is still being cleaned up when the restart's start comes: the
    // policy must leave that exit to the start (it scheduled a second start of its own).
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['run', '-d', '--name', 'kept', '--restart', 'always', 'busybox', 'sleep', '300']);
    await ok([
      'run',
      '-d',
      '--name',
      'retried',
      '--restart',
      'on-failure:5',
      'busybox',
      'sleep',
      '300',
    ]);
    const rounds = 4;
    for (let i = 0; i < rounds; i++) {
      assert.equal(await ok(['restart', '-t', '0', 'kept', 'retried']), 'kept\nretried');
      const pids = await inspect('kept', '{{.State.Pid}}');
      const retriedPid = await inspect('retried', '{{.State.Pid}}');
      // Longer than the policy's first back-off (100 ms) and a start.
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(
        await inspect('kept', '{{.State.Status}} {{.State.Pid}} {{.RestartCount}}'),
        `running ${pids} 0`,
      );
      assert.equal(
        await inspect('retried', '{{.State.Status}} {{.State.Pid}} {{.RestartCount}}'),
        `running ${retriedPid} 0`,
      );
    }
    const events = await ok([
      'events',
      '--since',
      String(since),
      '--until',
      String(Math.ceil(Date.now() / 1000)),
      '--filter',
      'event=start',
      '--format',
      '{{.Actor.Attributes.name}}',
    ]);
    const starts = events.split('\n').filter(Boolean);
    assert.equal(starts.filter((n) => n === 'kept').length, rounds + 1, events);
    assert.equal(starts.filter((n) => n === 'retried').length, rounds + 1, events);
    await ok(['rm', '-f', 'kept', 'retried']);
  });

  it('pause freezes the processes and unpause thaws them; wrong states are refused', async () => {
    assert.equal(
      (
        await dk([
          'run',
          '-d',
          '--name',
          'frozen',
          'busybox',
          'sh',
          '-c',
          'while true; do date +%s%N > /tmp/tick; usleep 20000; done',
        ])
      ).code,
      0,
    );
    const tick = async (): Promise<string> =>
      (await dk(['exec', 'frozen', 'cat', '/tmp/tick'])).stdout;
    await waitFor('the first tick', async () => (await tick()) !== '');
    assert.equal((await dk(['pause', 'frozen'])).code, 0);
    assert.equal(await inspect('frozen', '{{.State.Status}} {{.State.Paused}}'), 'paused true');
    assert.match(
      (await dk(['ps', '--filter', 'name=frozen', '--format', '{{.Status}}'])).stdout,
      /\(Paused\)/,
    );
    const again = await dk(['pause', 'frozen']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is already paused/);
    const execPaused = await dk(['exec', 'frozen', 'true']);
    assert.equal(execPaused.code, 1);
    assert.match(
      execPaused.stderr,
      /Container frozen is paused, unpause the container before exec/,
    );
    assert.equal((await dk(['unpause', 'frozen'])).code, 0);
    const t1 = await tick();
    await waitFor('ticks again', async () => (await tick()) !== t1);
    const notPaused = await dk(['unpause', 'frozen']);
    assert.equal(notPaused.code, 1);
    assert.match(notPaused.stderr, /is not paused/);
    // stop of a paused container thaws it so the signal lands.
    assert.equal((await dk(['pause', 'frozen'])).code, 0);
    const stop = await dk(['stop', '-t', '2', 'frozen']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(await inspect('frozen', '{{.State.Status}}'), 'exited');
    const stopped = await dk(['pause', 'frozen']);
    assert.equal(stopped.code, 1);
    assert.match(stopped.stderr, /is not running/);
    // kill (runc thaws a frozen container itself for SIGKILL) and rm -f of a paused one; rm
    // without -f refuses it in Docker's words.
    for (const name of ['frozen-kill', 'frozen-rm']) {
      await ok(['run', '-d', '--name', name, 'busybox', 'sleep', '300']);
      await ok(['pause', name]);
    }
    await ok(['kill', 'frozen-kill']);
    await waitFor(
      'the kill',
      async () => (await inspect('frozen-kill', '{{.State.Status}}')) === 'exited',
    );
    assert.equal(await inspect('frozen-kill', '{{.State.ExitCode}}'), '137');
    const refused = await dk(['rm', 'frozen-rm']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /You cannot remove a paused container [0-9a-f]{64}\. Unpause and then stop the container before attempting removal or force remove/,
    );
    await ok(['rm', '-f', 'frozen-rm', 'frozen-kill']);
  });

  it('a container over its --memory is OOMKilled: exit 137, OOMKilled true, an oom event', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const r = await dk([
      'run',
      '--name',
      'hog',
      '--memory',
      '32m',
      'busybox',
      'sh',
      '-c',
      'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived',
    ]);
    assert.equal(r.code, 137, r.stdout + r.stderr);
    assert.equal(await inspect('hog', '{{.State.OOMKilled}} {{.State.ExitCode}}'), 'true 137');
    const events = await dk([
      'events',
      '--since',
      since,
      '--until',
      String(Math.floor(Date.now() / 1000) + 1),
      '--filter',
      'container=hog',
      '--format',
      '{{.Action}}',
    ]);
    assert.match(events.stdout, /^oom$/m);
    // A container that exits on its own is not.
    assert.equal(
      (await dk(['run', '--name', 'calm', '--memory', '32m', 'busybox', 'true'])).code,
      0,
    );
    assert.equal(await inspect('calm', '{{.State.OOMKilled}}'), 'false');
  });

  it('health checks: starting, unhealthy after the retries, healthy, with events and ps', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const r = await dk([
      'run',
      '-d',
      '--name',
      'checked',
      '--health-cmd',
      'test -f /tmp/ok && echo fine',
      '--health-interval',
      '200ms',
      '--health-retries',
      '2',
      'busybox',
      'sleep',
      '300',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const health = async (): Promise<string> => inspect('checked', '{{.State.Health.Status}}');
    await waitFor('unhealthy', async () => (await health()) === 'unhealthy', 20_000);
    assert.equal((await inspect('checked', '{{.State.Health.FailingStreak}}')) >= '2', true);
    assert.match(
      (await dk(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}} {{.Status}}']))
        .stdout,
      /^checked Up .* \(unhealthy\)$/m,
    );
    assert.equal((await dk(['exec', 'checked', 'touch', '/tmp/ok'])).code, 0);
    await waitFor('healthy', async () => (await health()) === 'healthy', 20_000);
    const log = JSON.parse(await inspect('checked', '{{json .State.Health.Log}}')) as {
      ExitCode: number;
      Output: string;
    }[];
    assert.ok(log.length <= 5);
    assert.deepEqual(log.at(-1), { ...log.at(-1), ExitCode: 0, Output: 'fine\n' });
    const events = await dk([
      'events',
      '--since',
      since,
      '--until',
      String(Math.floor(Date.now() / 1000) + 1),
      '--filter',
      'container=checked',
      '--filter',
      'event=health_status',
      '--format',
      '{{.Action}}',
    ]);
    assert.match(events.stdout, /^health_status: unhealthy$/m);
    assert.match(events.stdout, /^health_status: healthy$/m);
    // A container without a healthcheck has no Health, and a bad one is refused.
    assert.equal((await dk(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '300'])).code, 0);
    assert.equal(await inspect('plain', '{{if .State.Health}}yes{{else}}no{{end}}'), 'no');
    const bad = await apiRequest(
      d.socket,
      'POST',
      '/containers/create',
      JSON.stringify({
        Image: 'busybox',
        Cmd: ['true'],
        Healthcheck: { Test: ['CMD', 'true'], Interval: -5 },
      }),
    );
    assert.equal(bad.status, 400);
    assert.match(messageOf(bad), /can't be negative/);
  });

  it("docker update changes a running container's limits at once and keeps them", async () => {
    await ok(['run', '-d', '--name', 'tuned', '--memory', '64m', 'busybox', 'sleep', '300']);
    const id = await inspect('tuned', '{{.Id}}');
    const limit = (): string =>
      readFileSync(`/sys/fs/cgroup/memory/berth/${id}/memory.limit_in_bytes`, 'utf8').trim();
    assert.equal(limit(), String(64 * 1024 * 1024));
    const r = await dk([
      'update',
      '--memory',
      '128m',
      '--memory-swap',
      '256m',
      '--pids-limit',
      '50',
      '--restart',
      'on-failure:2',
      'tuned',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'tuned');
    assert.equal(limit(), String(128 * 1024 * 1024));
    assert.equal(readFileSync(`/sys/fs/cgroup/pids/berth/${id}/pids.max`, 'utf8').trim(), '50');
    assert.equal(
      await inspect(
        'tuned',
        '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}',
      ),
      `${128 * 1024 * 1024} 50 on-failure:2`,
    );
    // Kept for the next start.
    assert.equal((await dk(['restart', '-t', '1', 'tuned'])).code, 0);
    assert.equal(limit(), String(128 * 1024 * 1024));
    const tooSmall = await dk(['update', '--memory', '1m', 'tuned']);
    assert.equal(tooSmall.code, 1);
    assert.match(tooSmall.stderr, /Minimum memory limit allowed is 6MB/);
    // Memory alone stays below the swap limit in force (256m), as Docker has it.
    assert.equal((await dk(['update', '--memory', '200m', 'tuned'])).code, 0);
    const aboveSwap = await dk(['update', '--memory', '300m', 'tuned']);
    assert.equal(aboveSwap.code, 1);
    assert.match(
      aboveSwap.stderr,
      /Cannot update container [0-9a-f]{64}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time/,
    );
    assert.equal(limit(), String(200 * 1024 * 1024));
    const missing = await dk(['update', '--memory', '64m', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: nosuch/);
  });

  it('restart policies resume after the daemon was killed with SIGKILL', async () => {
    await ok(['run', '-d', '--name', 'loop', '--restart', 'always', 'busybox', 'sleep', '1']);
    await ok([
      'run',
      '-d',
      '--name',
      'unless',
      '--restart',
      'unless-stopped',
      'busybox',
      'sleep',
      '300',
    ]);
    await ok(['stop', '-t', '1', 'unless']);
    // A daemon start is a fresh start for the policies (as Docker's): always runs again though
    // the user stopped it, on-failure after a failure (a kill's 137 too), from a count of 0.
    await ok([
      'run',
      '-d',
      '--name',
      'stopped-always',
      '--restart',
      'always',
      'busybox',
      'sleep',
      '300',
    ]);
    await ok(['stop', '-t', '0', 'stopped-always']);
    await ok([
      'run',
      '-d',
      '--name',
      'killed-onfail',
      '--restart',
      'on-failure:3',
      'busybox',
      'sleep',
      '300',
    ]);
    await ok(['kill', 'killed-onfail']);
    await ok(['run', '-d', '--name', 'fine-onfail', '--restart', 'on-failure', 'busybox', 'true']);
    await waitFor(
      'the three exits',
      async () =>
        (await inspect('stopped-always', '{{.State.Status}}')) === 'exited' &&
        (await inspect('killed-onfail', '{{.State.Status}}')) === 'exited' &&
        (await inspect('fine-onfail', '{{.State.Status}}')) === 'exited',
    );
    // Two restarts the crash cuts short, at either end: `midway`'s process runs already,
    // `halfway`'s ran and exited, leaving its runtime state, namespace and mount.
    for (const name of ['midway', 'halfway'])
      await ok(['run', '-d', '--name', name, '--restart', 'always', 'busybox', 'sleep', '300']);
    const midwayPid = await inspect('midway', '{{.State.Pid}}');
    const halfwayPid = Number(await inspect('halfway', '{{.State.Pid}}'));
    d.process.kill('SIGKILL');
    await d.exited;
    process.kill(halfwayPid, 'SIGKILL');
    const db = new Database(join(d.dataRoot, 'berth.db'));
    try {
      const setRestarting = db.prepare(
        `UPDATE containers SET state = json_set(state, '$.status', 'restarting') WHERE name = ?`,
      );
      for (const name of ['midway', 'halfway']) assert.equal(setRestarting.run(name).changes, 1);
    } finally {
      db.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 2000)); // `loop` exits while no daemon runs
    d = await startDaemon({ reuseDir: d.dir });
    await waitFor(
      'loop to run again',
      async () => {
        const [status, count] = (
          await inspect('loop', '{{.State.Status}} {{.RestartCount}}')
        ).split(' ');
        return status === 'running' && Number(count) >= 1;
      },
      20_000,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${d.log()}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(
      await inspect('unless', '{{.State.Status}}'),
      'exited',
      'a stopped unless-stopped container stays stopped',
    );
    for (const name of ['stopped-always', 'killed-onfail'])
      await waitFor(
        `${name} to run again`,
        async () => (await inspect(name, '{{.State.Status}} {{.RestartCount}}')) === 'running 0',
      );
    assert.equal(await inspect('fine-onfail', '{{.State.Status}}'), 'exited', 'a success stays');
    assert.equal(
      await inspect('midway', '{{.State.Status}} {{.State.Pid}}'),
      `running ${midwayPid}`,
      'a restart whose process runs keeps it',
    );
    await waitFor('halfway to run again', async () => {
      const [status, count] = (
        await inspect('halfway', '{{.State.Status}} {{.RestartCount}}')
      ).split(' ');
      return status === 'running' && Number(count) >= 1;
    }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${d.log()}`);
    });
    const stopped = await dk([
      'stop',
      '-t',
      '1',
      'midway',
      'halfway',
      'stopped-always',
      'killed-onfail',
    ]);
    assert.equal(stopped.code, 0, stopped.stderr);
  });
});
