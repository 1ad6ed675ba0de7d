// ConmonRuntime against real conmon and runc (root): a busybox rootfs from the offline image,
// a minimal spec from `runc spec`, one conmon per container. Each test removes its containers,
// monitors, cgroups, state and temp dirs in `finally`, and bounds every wait.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { busyboxArchive } from '../../helpers/image-archive.js';
import {
  ConmonRuntime,
  type ConmonRuntimeOptions,
} from '../../../src/core/runtime/conmon-runtime.js';
import { parseK8sLogLine } from '../../../src/core/runtime/k8s-log.js';
import { startForkServer, stopForkServer } from '../../../src/lib/run-to-completion.js';

const RUNC = '/usr/sbin/runc';
const CONMON = '/usr/bin/conmon';
const isRoot = process.getuid?.() === 0;
const WAIT_MS = 15_000;

interface Sandbox {
  readonly dir: string;
  readonly options: ConmonRuntimeOptions;
  readonly runtime: ConmonRuntime;
  /** Container ids and cgroup names made, for cleanup. */
  readonly ids: string[];
  readonly cgroups: string[];
}

let work = '';
let rootfs = '';
let baseSpec: Record<string, unknown> = {};

function newId(): string {
  return randomBytes(32).toString('hex');
}

/** With logRuncCalls, runc is a wrapper named runc that logs its arguments to <dir>/runc-calls. */
function sandbox(o: { logRuncCalls?: boolean; warmCgroupAttach?: () => void } = {}): Sandbox {
  const dir = mkdtempSync(join(work, 'sb-'));
  let runtimePath = RUNC;
  if (o.logRuncCalls) {
    mkdirSync(join(dir, 'bin'));
    runtimePath = join(dir, 'bin', 'runc');
    writeFileSync(
      runtimePath,
      `#!/bin/sh\necho "$@" >> ${join(dir, 'runc-calls')}\nexec ${RUNC} "$@"\n`,
      { mode: 0o755 },
    );
  }
  const options: ConmonRuntimeOptions = {
    runtimePath,
    conmonPath: CONMON,
    stateDir: join(dir, 'state'),
    runtimeRoot: join(dir, 'runc'),
    exitPollMs: 200,
    ...(o.warmCgroupAttach ? { warmCgroupAttach: o.warmCgroupAttach } : {}),
  };
  return { dir, options, runtime: new ConmonRuntime(options), ids: [], cgroups: [] };
}

interface BundleOptions {
  readonly args: string[];
  readonly terminal?: boolean;
  /** The cgroup is <name>/<id>, as the daemon's /berth/<id>. */
  readonly nested?: boolean;
}

/** A bundle dir with config.json for `args`, registered for cleanup; returns id and paths. */
function bundle(sb: Sandbox, o: BundleOptions): { id: string; bundle: string; logPath: string } {
  const id = newId();
  const cgroup = `berth-test-${randomBytes(6).toString('hex')}`;
  const dir = join(sb.dir, `bundle-${id.slice(0, 12)}`);
  mkdirSync(dir);
  const spec = structuredClone(baseSpec) as {
    process: { args: string[]; terminal: boolean };
    root: { path: string; readonly: boolean };
    linux: { cgroupsPath?: string };
    hostname?: string;
  };
  spec.process.args = o.args;
  spec.process.terminal = o.terminal ?? false;
  spec.root = { path: rootfs, readonly: false };
  spec.linux.cgroupsPath = o.nested ? `/${cgroup}/${id}` : `/${cgroup}`;
  spec.hostname = 'berth-test';
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
  sb.ids.push(id);
  if (o.nested) sb.cgroups.push(`${cgroup}/${id}`);
  sb.cgroups.push(cgroup);
  return { id, bundle: dir, logPath: join(dir, 'ctr.log') };
}

function isOurConmon(pid: number, id: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(id);
  } catch {
    return false;
  }
}

/** Removes everything a sandbox made: containers, monitors (by pid), cgroups, mounts, files. */
async function cleanup(sb: Sandbox): Promise<void> {
  for (const id of sb.ids) {
    let conmonPid: number | undefined;
    try {
      conmonPid = Number(readFileSync(join(sb.options.stateDir, id, 'conmon.pid'), 'utf8'));
    } catch {
      conmonPid = undefined;
    }
    try {
      await sb.runtime.delete(id, { force: true });
    } catch {
      try {
        execFileSync(RUNC, [`--root=${sb.options.runtimeRoot}`, 'delete', '--force', id], {
          stdio: 'ignore',
          timeout: 10_000,
        });
      } catch {
        // not known to runc
      }
    }
    if (conmonPid && isOurConmon(conmonPid, id)) process.kill(conmonPid, 'SIGKILL');
  }
  for (const name of sb.cgroups) {
    for (const controller of readdirSync('/sys/fs/cgroup')) {
      try {
        rmdirSync(join('/sys/fs/cgroup', controller, name));
      } catch {
        // not made under this controller, or already gone
      }
    }
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(sb.dir));
  for (const point of mounts.reverse()) {
    execFileSync('umount', ['-l', point], { timeout: 10_000 });
  }
  rmSync(sb.dir, { recursive: true, force: true });
}

function leftovers(sb: Sandbox): string[] {
  const found: string[] = [];
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    for (const name of sb.cgroups) {
      try {
        readdirSync(join('/sys/fs/cgroup', controller, name));
        found.push(`${controller}/${name}`);
      } catch {
        // gone
      }
    }
  }
  return found;
}

/** ppid and session of a process, from /proc/<pid>/stat. */
function procStat(pid: number): { ppid: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), session: Number(fields[3]) };
}

function deadline(ms = WAIT_MS): AbortSignal {
  return AbortSignal.timeout(ms);
}

async function until(what: string, test: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (Date.now() < end) {
    if (await test()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function logRecords(path: string): ReturnType<typeof parseK8sLogLine>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(parseK8sLogLine);
}

describe('ConmonRuntime (conmon + runc)', { skip: !isRoot && 'needs root' }, () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'berth-conmon-'));
    rootfs = join(work, 'rootfs');
    const image = join(work, 'image');
    mkdirSync(rootfs);
    mkdirSync(image);
    execFileSync('tar', ['-xf', busyboxArchive(), '-C', image], { timeout: 60_000 });
    const layer = readdirSync(image).find((name) => /^[0-9a-f]{64}$/.test(name));
    assert.ok(layer, 'a layer directory in the busybox archive');
    execFileSync('tar', ['-xf', join(image, layer, 'layer.tar'), '-C', rootfs], {
      timeout: 60_000,
    });
    const specDir = join(work, 'spec');
    mkdirSync(specDir);
    execFileSync(RUNC, ['spec'], { cwd: specDir, timeout: 10_000 });
    baseSpec = JSON.parse(readFileSync(join(specDir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs echo: the k8s-file log has the line and the exit code is 0', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, { args: ['sh', '-c', 'echo hello; echo oops >&2'] });
      const created = await sb.runtime.create({ ...c, tty: false, openStdin: false });
      assert.ok(created.pid > 0 && created.conmonPid > 0);
      assert.equal((await sb.runtime.state(c.id))?.status, 'created');
      assert.equal(await sb.runtime.exitCode(c.id), undefined);
      await sb.runtime.start(c.id);
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 0);
      assert.equal(await sb.runtime.exitCode(c.id), 0);
      const log = readFileSync(c.logPath, 'utf8');
      assert.match(log, /stdout F hello\n/);
      assert.match(log, /stderr F oops\n/);
      const records = logRecords(c.logPath);
      assert.ok(records.every((r) => r !== undefined));
      assert.deepEqual(
        records.map((r) => [r?.stream, r?.partial, r?.text]),
        [
          ['stdout', false, 'hello'],
          ['stderr', false, 'oops'],
        ],
      );
      assert.equal((await sb.runtime.state(c.id))?.status, 'stopped');
      await until('conmon to exit', () => !isOurConmon(created.conmonPid, c.id));
      await sb.runtime.delete(c.id);
      assert.equal(await sb.runtime.state(c.id), undefined);
      assert.equal(await sb.runtime.exitCode(c.id), undefined);
      assert.deepEqual(readdirSync(sb.options.stateDir), ['exits']);
      assert.deepEqual(readdirSync(join(sb.options.stateDir, 'exits')), []);
    } finally {
      await cleanup(sb);
      assert.deepEqual(leftovers(sb), []);
    }
  });

  it("starts a created container as runc start does: runc's fifo taken, runc sees it running", async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, { args: ['sleep', '30'] });
      await sb.runtime.create({ ...c, tty: false, openStdin: false });
      const fifo = join(sb.options.runtimeRoot ?? '', c.id, 'exec.fifo');
      assert.ok(existsSync(fifo), 'a created container waits on its exec fifo');
      await sb.runtime.start(c.id);
      assert.equal(existsSync(fifo), false);
      assert.equal((await sb.runtime.state(c.id))?.status, 'running');
      await sb.runtime.kill(c.id, 'KILL');
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 137);
    } finally {
      await cleanup(sb);
    }
  });

  it('removes an exited container without a runc process: its cgroups and state go', async () => {
    const sb = sandbox({ logRuncCalls: true });
    try {
      const c = bundle(sb, { args: ['true'], nested: true });
      await sb.runtime.create({ ...c, tty: false, openStdin: false });
      await sb.runtime.start(c.id);
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 0);
      const cgroupDirs = readdirSync('/sys/fs/cgroup')
        .map((controller) => join('/sys/fs/cgroup', controller, sb.cgroups[0] ?? ''))
        .filter((path) => existsSync(path));
      assert.ok(cgroupDirs.length >= 5, `cgroups made: ${cgroupDirs.join(' ')}`);
      await sb.runtime.delete(c.id);
      assert.deepEqual(
        cgroupDirs.filter((path) => existsSync(path)),
        [],
      );
      assert.equal(existsSync(join(sb.options.runtimeRoot ?? '', c.id)), false);
      assert.equal(await sb.runtime.state(c.id), undefined);
      const calls = readFileSync(join(sb.dir, 'runc-calls'), 'utf8');
      assert.match(calls, /\bcreate\b/);
      assert.doesNotMatch(calls, /\bdelete\b/);
      assert.deepEqual(readdirSync(sb.options.stateDir), ['exits']);
    } finally {
      await cleanup(sb);
      assert.deepEqual(leftovers(sb), []);
    }
  });

  it('leaves a running container to runc delete --force', async () => {
    const sb = sandbox({ logRuncCalls: true });
    try {
      const c = bundle(sb, { args: ['sleep', '30'], nested: true });
      await sb.runtime.create({ ...c, tty: false, openStdin: false });
      await sb.runtime.start(c.id);
      await sb.runtime.delete(c.id, { force: true });
      assert.equal(await sb.runtime.state(c.id), undefined);
      assert.match(readFileSync(join(sb.dir, 'runc-calls'), 'utf8'), /\bdelete --force\b/);
    } finally {
      await cleanup(sb);
      assert.deepEqual(leftovers(sb), []);
    }
  });

  it("creates through the fork server as well: the pid, and runc's words on failure", async () => {
    const sb = sandbox();
    startForkServer();
    try {
      const c = bundle(sb, { args: ['sh', '-c', 'echo forked'] });
      const created = await sb.runtime.create({ ...c, tty: false, openStdin: false });
      assert.ok(created.pid > 0 && created.conmonPid > 0);
      assert.equal(procStat(created.conmonPid).session, created.conmonPid);
      await sb.runtime.start(c.id);
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 0);
      assert.match(readFileSync(c.logPath, 'utf8'), /stdout F forked\n/);
      const bad = bundle(sb, { args: ['/no/such/binary'] });
      await assert.rejects(sb.runtime.create({ ...bad, tty: false, openStdin: false }), (err) => {
        assert.equal((err as { kind?: string }).kind, 'invalid-argument');
        assert.match((err as Error).message, /no such file or directory/);
        return true;
      });
      assert.equal(await sb.runtime.state(bad.id), undefined);
    } finally {
      stopForkServer();
      await cleanup(sb);
      assert.deepEqual(leftovers(sb), []);
    }
  });

  it('records exit 7', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, { args: ['sh', '-c', 'exit 7'] });
      await sb.runtime.create({ ...c, tty: false, openStdin: false });
      await sb.runtime.start(c.id);
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 7);
      assert.equal(await sb.runtime.exitCode(c.id), 7);
    } finally {
      await cleanup(sb);
    }
  });

  it('reports a command runc cannot run as invalid-argument with runc message', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, { args: ['/no/such/binary'] });
      await assert.rejects(sb.runtime.create({ ...c, tty: false, openStdin: false }), (err) => {
        assert.equal((err as { kind?: string }).kind, 'invalid-argument');
        assert.match((err as Error).message, /no such file or directory/);
        return true;
      });
      // The failed create left nothing behind.
      assert.equal(await sb.runtime.state(c.id), undefined);
      assert.deepEqual(readdirSync(sb.options.stateDir), ['exits']);
    } finally {
      await cleanup(sb);
    }
  });

  it('rolls back a create that is aborted', async () => {
    const sb = sandbox();
    try {
      for (const ms of [0, 5, 20]) {
        const c = bundle(sb, { args: ['sleep', '1000'] });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), ms);
        try {
          await sb.runtime.create({
            ...c,
            tty: false,
            openStdin: false,
            signal: controller.signal,
          });
          // Finished before the abort: an ordinary container, removed below.
          await sb.runtime.delete(c.id, { force: true });
        } catch (err) {
          assert.equal((err as { kind?: string }).kind, 'cancelled');
        }
        assert.equal(await sb.runtime.state(c.id), undefined);
        assert.deepEqual(readdirSync(sb.options.stateDir), ['exits']);
      }
    } finally {
      await cleanup(sb);
    }
  });

  it('kills a long sleep with SIGTERM (trapped: 143) and SIGKILL (128+9)', async () => {
    const sb = sandbox();
    try {
      // The init of a pid namespace ignores signals it has no handler for, so TERM needs a trap.
      const a = bundle(sb, {
        args: ['sh', '-c', "trap 'exit 143' TERM; sleep 1000 & wait $!"],
      });
      const b = bundle(sb, { args: ['sleep', '1000'] });
      const ca = await sb.runtime.create({ ...a, tty: false, openStdin: false });
      const cb = await sb.runtime.create({ ...b, tty: false, openStdin: false });
      await sb.runtime.start(a.id);
      await sb.runtime.start(b.id);
      assert.deepEqual(await sb.runtime.state(a.id), { status: 'running', pid: ca.pid });
      assert.deepEqual(await sb.runtime.state(b.id), { status: 'running', pid: cb.pid });
      assert.equal(await sb.runtime.exitCode(a.id), undefined);
      const waiting = sb.runtime.waitExit(a.id, deadline());
      await sb.runtime.kill(a.id, 'SIGTERM');
      assert.equal(await waiting, 143);
      await sb.runtime.kill(b.id, 'KILL');
      assert.equal(await sb.runtime.waitExit(b.id, deadline()), 137);
      await assert.rejects(sb.runtime.kill(b.id, 15), { kind: 'conflict' });
      await assert.rejects(sb.runtime.kill(b.id, 'SIGNOPE'), { kind: 'invalid-argument' });
      await assert.rejects(sb.runtime.kill(newId(), 9), { kind: 'not-found' });
    } finally {
      await cleanup(sb);
    }
  });

  it('warms the cgroup move for create and exec, and lists the containers it holds', async () => {
    let warmed = 0;
    const sb = sandbox({ warmCgroupAttach: () => void warmed++ });
    try {
      const c = bundle(sb, { args: ['sleep', '1000'] });
      await sb.runtime.create({ ...c, tty: false, openStdin: false });
      assert.equal(warmed, 1, 'create');
      assert.deepEqual(await sb.runtime.list(), [c.id]);
      await sb.runtime.start(c.id);
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      const exec = await sb.runtime.exec(c.id, newId(), {
        process: {
          args: ['echo', 'inside'],
          cwd: '/',
          env: ['PATH=/bin'],
          user: { uid: 0, gid: 0 },
          capabilities: { bounding: [], effective: [], permitted: [] },
        },
        stdout: out,
        stderr: new PassThrough(),
      });
      assert.deepEqual(await exec.exit, { code: 0 });
      assert.equal(Buffer.concat(chunks).toString(), 'inside\n');
      assert.equal(warmed, 2, 'exec');
      await sb.runtime.kill(c.id, 'KILL');
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 137);
      await sb.runtime.delete(c.id);
      assert.deepEqual(await sb.runtime.list(), []);
    } finally {
      await cleanup(sb);
      assert.deepEqual(leftovers(sb), []);
    }
  });

  it('survives a daemon restart: a new ConmonRuntime finds, kills and waits the container', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, { args: ['sh', '-c', "trap 'exit 3' TERM; sleep 1000 & wait $!"] });
      let first: ConmonRuntime | undefined = new ConmonRuntime(sb.options);
      const created = await first.create({ ...c, tty: false, openStdin: false });
      await first.start(c.id);
      first = undefined;
      // The monitor is not our child: it was re-parented (double fork + setsid).
      const monitor = procStat(created.conmonPid);
      assert.notEqual(monitor.ppid, process.pid, 'conmon is not a child of the daemon');
      assert.notEqual(monitor.session, procStat(process.pid).session, 'conmon has its own session');

      const second = new ConmonRuntime(sb.options);
      assert.deepEqual(await second.state(c.id), { status: 'running', pid: created.pid });
      assert.equal(await second.conmonPid(c.id), created.conmonPid);
      assert.equal(await second.exitCode(c.id), undefined);
      const waiting = second.waitExit(c.id, deadline());
      await second.kill(c.id, 'TERM');
      assert.equal(await waiting, 3);
      assert.equal(await second.exitCode(c.id), 3);
      assert.equal((await second.state(c.id))?.status, 'stopped');
      await until('conmon to exit', async () => (await second.conmonPid(c.id)) === undefined);

      // A third instance, after the exit: the recorded code is still there.
      const third = new ConmonRuntime(sb.options);
      assert.equal(await third.waitExit(c.id, deadline()), 3);
      await third.delete(c.id);
    } finally {
      await cleanup(sb);
    }
  });

  it('pauses and resumes', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, { args: ['sleep', '1000'] });
      await sb.runtime.create({ ...c, tty: false, openStdin: false });
      await sb.runtime.start(c.id);
      await sb.runtime.pause(c.id);
      assert.equal((await sb.runtime.state(c.id))?.status, 'paused');
      await assert.rejects(sb.runtime.pause(c.id), { kind: 'conflict' });
      await sb.runtime.resume(c.id);
      assert.equal((await sb.runtime.state(c.id))?.status, 'running');
      await assert.rejects(sb.runtime.delete(c.id), { kind: 'conflict' });
      await sb.runtime.delete(c.id, { force: true });
      assert.equal(await sb.runtime.state(c.id), undefined);
    } finally {
      await cleanup(sb);
    }
  });

  it('attaches to a container without a terminal: stdin in, stdout and stderr apart', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, {
        args: ['sh', '-c', 'read line; echo "got $line"; echo "to stderr" >&2'],
      });
      await sb.runtime.create({ ...c, tty: false, openStdin: true });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => out.push(chunk));
      stderr.on('data', (chunk: Buffer) => err.push(chunk));
      const attached = sb.runtime.attach(c.id, {
        stdin: Readable.from([Buffer.from('abc\n')]),
        stdout,
        stderr,
        signal: deadline(),
      });
      await sb.runtime.start(c.id);
      await attached;
      assert.equal(Buffer.concat(out).toString(), 'got abc\n');
      assert.equal(Buffer.concat(err).toString(), 'to stderr\n');
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 0);
      await until('conmon to exit', async () => (await sb.runtime.conmonPid(c.id)) === undefined);
      await assert.rejects(sb.runtime.attach(c.id, { stdout, stderr, signal: deadline() }), {
        kind: 'conflict',
      });
    } finally {
      await cleanup(sb);
    }
  });

  it('attaches input only: the container reads it, and its output is left to the log', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, { args: ['sh', '-c', 'read line; echo "got $line"'] });
      await sb.runtime.create({ ...c, tty: false, openStdin: true });
      let connected!: () => void;
      const ready = new Promise<void>((resolve) => (connected = resolve));
      const attached = sb.runtime.attach(c.id, {
        stdin: Readable.from([Buffer.from('abc\n')]),
        signal: deadline(),
        onAttached: connected,
      });
      await ready;
      await sb.runtime.start(c.id);
      await attached;
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 0);
      assert.deepEqual(
        logRecords(c.logPath).map((r) => r?.text),
        ['got abc'],
      );
    } finally {
      await cleanup(sb);
    }
  });

  it('attaches to a terminal container and resizes it', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, {
        args: ['sh', '-c', 'echo tty-hello; sleep 1; stty size'],
        terminal: true,
      });
      await sb.runtime.create({ ...c, tty: true, openStdin: false });
      const stdout = new PassThrough();
      const out: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => out.push(chunk));
      let connected: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (connected = resolve));
      const attached = sb.runtime.attach(c.id, {
        stdout,
        stderr: new PassThrough(),
        signal: deadline(),
        onAttached: () => connected(),
      });
      await ready;
      await sb.runtime.start(c.id);
      await until('tty output', () => Buffer.concat(out).toString().includes('tty-hello'));
      await sb.runtime.resize(c.id, 33, 111);
      await attached;
      const text = Buffer.concat(out).toString();
      assert.match(text, /tty-hello\r\n/);
      assert.match(text, /33 111\r\n/);
      assert.equal(await sb.runtime.waitExit(c.id, deadline()), 0);
      assert.match(readFileSync(c.logPath, 'utf8'), /stdout F tty-hello\r\n/);
    } finally {
      await cleanup(sb);
    }
  });

  it('detaches when the attach signal aborts, leaving the container running', async () => {
    const sb = sandbox();
    try {
      const c = bundle(sb, { args: ['sleep', '1000'] });
      await sb.runtime.create({ ...c, tty: false, openStdin: false });
      await sb.runtime.start(c.id);
      const controller = new AbortController();
      const attached = sb.runtime.attach(c.id, {
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 200);
      await assert.rejects(attached, { kind: 'cancelled' });
      assert.equal((await sb.runtime.state(c.id))?.status, 'running');
      const waitController = new AbortController();
      const waiting = sb.runtime.waitExit(c.id, waitController.signal);
      waitController.abort();
      await assert.rejects(waiting, { kind: 'cancelled' });
    } finally {
      await cleanup(sb);
    }
  });
});
