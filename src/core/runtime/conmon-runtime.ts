// The execution driver: one conmon per container, runc (or crun) as the OCI runtime.
//
// conmon is the container's monitor: it runs `runc create`, holds the container's stdio, writes
// the log (k8s-file format, see k8s-log.ts), serves attach, and when the container's process
// ends writes its exit status to a file. It double-forks and calls setsid(), so it is not the
// daemon's child: containers, their logs and their exit codes outlive a daemon restart, and a
// new ConmonRuntime over the same stateDir/runtimeRoot picks them up (live restore). No Node
// process or handle is kept per container; every method works from the files and runc's state.
//
// Lifecycle, as the daemon drives it:
//
//   const rt = new ConmonRuntime({ runtimePath: '/usr/sbin/runc', conmonPath: '/usr/bin/conmon',
//                                  stateDir: '/run/berth/containers', runtimeRoot: '/run/berth/runc' });
//   const { pid, conmonPid } = await rt.create({ id, bundle, logPath, tty: false, openStdin: false });
//   await rt.start(id);                      // the process runs; output goes to logPath
//   const code = await rt.waitExit(id);      // resolves when the exit file appears
//   await rt.delete(id);                     // runc delete + the state dir and exit file
//
// After a restart: state(id) says created/running/paused/stopped (or undefined: runc has no
// such container, e.g. after a reboot — reconcile), exitCode(id) gives the recorded status of a
// stopped one, waitExit(id) waits on a running one.
//
// Errors are BerthErrors: not-found (runc has no such container), conflict (wrong state for the
// operation, e.g. kill of a stopped container), invalid-argument (bad id, signal, size, or a
// process runc cannot execute), cancelled (the AbortSignal), internal (anything else: the
// message is runc's or conmon's). See runtime-error.ts for how runc's words map to kinds.

import { spawn } from 'node:child_process';
import { constants as fsConstants, existsSync, rmSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { BerthError, cancelled, hasErrno, invalidArgument, notFound } from '../errors.js';
import {
  ATTACH_CONNECTED,
  ATTACH_STDERR,
  RELAY_SCRIPT,
  RelayFrameDecoder,
} from './attach-relay.js';
import {
  buildConmonArgs,
  conmonEnv,
  containerPaths,
  runtimeGlobalArgs,
  SYNC_PIPE_ENV,
  type ContainerPaths,
} from './conmon-args.js';
import { releaseExecFifo } from './exec-fifo.js';
import { reapExited } from './runc-reap.js';
import { ExitWatcher, readExitFile } from './exit-file.js';
import { startExecProcess, type ExecProcess } from './exec-process.js';
import { nativeExecBlocker, type NativeExec } from './native-exec.js';
import type { Process, Spec } from './oci-types.js';
import { runProcess, type ProcessResult } from './run-process.js';
import { runtimeError, runtimeErrorMessage } from './runtime-error.js';
import { parseSignal } from './signal-name.js';
import { isAlive } from '../../lib/process-alive.js';
import { runToCompletion, type Completed } from '../../lib/run-to-completion.js';

export interface ConmonRuntimeOptions {
  /** The OCI runtime: runc's resolved path (or crun's; crun refuses hybrid-cgroup hosts). */
  readonly runtimePath: string;
  readonly conmonPath: string;
  /**
   * Runtime state under the exec root (e.g. /run/berth/containers): per container a directory
   * with its spec copy, pid files, attach socket and ctl fifo; and `exits/` with the exit files.
   * Must be on a filesystem that holds unix sockets and fifos (tmpfs /run is right).
   */
  readonly stateDir: string;
  /** runc's --root (e.g. /run/berth/runc), keeping berth's containers apart from other engines'. */
  readonly runtimeRoot?: string;
  /** python3 for the attach relay (see attach-relay.ts); default /usr/bin/python3. */
  readonly pythonPath?: string;
  /** Limit for `runc create` through conmon (default 60 s). */
  readonly createTimeoutMs?: number;
  /** Limit for each other runc command (default 30 s). */
  readonly commandTimeoutMs?: number;
  /** The exit-file poll behind fs.watch (default 1000 ms). */
  readonly exitPollMs?: number;
  /**
   * Called as runc sets out to move a new process into a container's cgroups (create, exec),
   * to have the kernel ready for that move meanwhile (see cgroups/attach-warmup.ts).
   */
  readonly warmCgroupAttach?: () => void;
  /**
   * Runs exec processes without a terminal through berth-exec instead of runc exec where it
   * reproduces runc exactly (see native-exec.ts). Used with runc only.
   */
  readonly nativeExec?: NativeExec;
}

export interface CreateOptions {
  /** 64 lowercase hex: the container id (runc's id, the state dir's and exit file's name). */
  readonly id: string;
  /**
   * The directory holding config.json. berth copies the spec into the container's state dir
   * (conmon's bundle), with a relative root.path made absolute against this directory and
   * process.terminal set from `tty`; the rootfs itself stays where root.path says.
   */
  readonly bundle: string;
  /** The content of bundle/config.json when the caller has it at hand (saves reading it). */
  readonly spec?: object;
  /** The container log, written by conmon in the k8s-file format (see k8s-log.ts). */
  readonly logPath: string;
  /** conmon truncates the log when it grows past this many bytes (--log-size-max). */
  readonly logMaxSize?: number;
  /** A terminal for the process (conmon -t; runc gets a console socket). */
  readonly tty: boolean;
  /** Keep a stdin for attach (-i; a terminal always has one). */
  readonly openStdin: boolean;
  /**
   * With openStdin and no tty: close the container's stdin when the first attached client
   * that sent stdin goes away (Docker's StdinOnce, conmon's default). False passes
   * --leave-stdin-open. Default true.
   */
  readonly stdinOnce?: boolean;
  readonly signal?: AbortSignal;
}

/** What `runc update` can change (bytes, shares, microseconds, a cpu list, a count). */
export interface ResourceUpdate {
  readonly memory?: number;
  readonly memorySwap?: number;
  readonly cpuShares?: number;
  readonly cpuPeriod?: number;
  readonly cpuQuota?: number;
  readonly cpusetCpus?: string;
  readonly pidsLimit?: number;
}

export interface CreatedContainer {
  /** The monitor's pid (it lives until the container has exited and its exit file is written). */
  readonly conmonPid: number;
  /** The container's init pid on the host. */
  readonly pid: number;
}

export type RuntimeStatus = 'created' | 'running' | 'paused' | 'stopped';

export interface RuntimeState {
  readonly status: RuntimeStatus;
  /** The init pid (0 once stopped). */
  readonly pid: number;
}

export interface AttachStreams {
  /** Copied to the container's stdin; its end closes the container's stdin (see stdinOnce). */
  readonly stdin?: NodeJS.ReadableStream;
  /**
   * The container's stdout (all of a terminal's output), and its stderr. Not ended by attach.
   * Without both (and with stdin), only input goes through: the caller reads the output from
   * the log.
   */
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  /** Aborting detaches (the call rejects with cancelled); the container keeps running. */
  readonly signal?: AbortSignal;
  /**
   * Called once the attach is connected: output from then on is delivered. To see all of a
   * container's output (docker run -a, start -a), attach before start() and start from here.
   */
  readonly onAttached?: () => void;
}

const ID = /^[0-9a-f]{64}$/;
const MONITOR_EXIT_WAIT_MS = 5000;
/** How long a start waits for a created container's init to take the go (runc's own start waits as long). */
const START_TIMEOUT_MS = 30_000;

export class ConmonRuntime {
  readonly #options: ConmonRuntimeOptions;
  readonly #createTimeoutMs: number;
  readonly #commandTimeoutMs: number;
  readonly #exits: ExitWatcher;

  constructor(options: ConmonRuntimeOptions) {
    this.#options = options;
    this.#createTimeoutMs = options.createTimeoutMs ?? 60_000;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 30_000;
    this.#exits = new ExitWatcher(
      containerPaths(options.stateDir, '').exitDir,
      options.exitPollMs ?? 1000,
    );
  }

  /**
   * Creates the container (runc create under a new conmon) and resolves once conmon reports the
   * container's pid on the sync pipe. The process does not run until start(). On any failure
   * (runc's message comes back as the error), on timeout or abort, what was made is removed.
   * An abort takes effect when runc create has reported (within createTimeoutMs).
   */
  async create(o: CreateOptions): Promise<CreatedContainer> {
    checkId(o.id);
    if (o.signal?.aborted) throw cancelled();
    this.#options.warmCgroupAttach?.();
    const paths = this.#paths(o.id);
    await mkdir(paths.exitDir, { recursive: true, mode: 0o700 });
    await this.#claimStateDir(o.id, paths);
    try {
      await rm(paths.exitFile, { force: true });
      await copySpec(o.bundle, paths.config, o.tty, o.spec);
      const pid = await this.#spawnConmon(o, paths);
      // An abort is honoured once runc create has reported: stopping it midway could leave a
      // half-made container that no later delete sees; this way the rollback removes it whole.
      if (o.signal?.aborted) throw cancelled();
      const conmonPid = await readPidFile(paths.conmonPidFile);
      if (conmonPid === undefined) {
        throw new BerthError('internal', `container ${o.id}: conmon wrote no pid file`);
      }
      return { conmonPid, pid };
    } catch (err) {
      await this.#rollback(o.id, paths);
      throw err;
    }
  }

  /** Runs the created container's process: as `runc start` does, without a runc process. */
  async start(id: string): Promise<void> {
    checkId(id);
    const root = this.#options.runtimeRoot;
    if (root !== undefined && basename(this.#options.runtimePath) === 'runc') {
      const pid = await readPidFile(this.#paths(id).pidFile);
      if (pid !== undefined) {
        const started = await releaseExecFifo(join(root, id, 'exec.fifo'), {
          timeoutMs: START_TIMEOUT_MS,
          alive: () => isAlive(pid),
        }).catch((err: unknown) => {
          throw new BerthError('internal', `runc start failed: ${(err as Error).message}`);
        });
        if (started === 'started') return;
      }
    }
    await this.#runc('start', id);
  }

  /** Sends a signal ('SIGTERM', 'TERM', 'term', 15, '15', 'SIGRTMIN+1') to the init process. */
  async kill(id: string, signal: string | number): Promise<void> {
    await this.#runc('kill', id, String(parseSignal(signal)));
  }

  /** Freezes every process of the container (cgroup freezer). */
  async pause(id: string): Promise<void> {
    await this.#runc('pause', id);
  }

  async resume(id: string): Promise<void> {
    await this.#runc('resume', id);
  }

  /** Changes a live container's cgroup limits (runc update). */
  async update(id: string, limits: ResourceUpdate): Promise<void> {
    const args: string[] = [];
    if (limits.memory !== undefined) args.push(`--memory=${limits.memory}`);
    if (limits.memorySwap !== undefined) args.push(`--memory-swap=${limits.memorySwap}`);
    if (limits.cpuShares !== undefined) args.push(`--cpu-share=${limits.cpuShares}`);
    if (limits.cpuQuota !== undefined) {
      args.push(`--cpu-period=${limits.cpuPeriod ?? 100_000}`, `--cpu-quota=${limits.cpuQuota}`);
    }
    if (limits.cpusetCpus !== undefined) args.push(`--cpuset-cpus=${limits.cpusetCpus}`);
    if (limits.pidsLimit !== undefined) args.push(`--pids-limit=${limits.pidsLimit}`);
    if (args.length === 0) return;
    checkId(id);
    const result = await this.#runcRaw(['update', ...args, id]);
    if (result.code !== 0) throw runtimeError('update', result.stderr);
  }

  /**
   * Removes the container from runc (force: kills a running one first), waits (bounded) for its
   * monitor to finish, then removes its state dir and exit file. A container runc no longer
   * knows is not an error: its leftovers are removed all the same. A running container without
   * force is a conflict.
   */
  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    checkId(id);
    const paths = this.#paths(id);
    if (!(await this.#reaped(id, paths))) {
      const result = await this.#runcRaw(['delete', ...(opts.force ? ['--force'] : []), id]);
      if (result.code !== 0) {
        const err = runtimeError('delete', result.stderr);
        if (err.kind !== 'not-found') throw err;
      }
    }
    await this.#stopMonitor(id, paths);
    // A handful of small files on the exec root's tmpfs: quicker done than handed to the
    // thread pool, on the way from a container's exit to `wait`.
    rmSync(paths.dir, { recursive: true, force: true });
    rmSync(paths.exitFile, { force: true });
  }

  /** The containers this runtime holds anything of (a state dir, runc's state), by id. */
  async list(): Promise<string[]> {
    const ids = new Set<string>();
    for (const dir of [this.#options.stateDir, this.#options.runtimeRoot]) {
      if (dir === undefined) continue;
      for (const name of await readdir(dir).catch(() => [])) if (ID.test(name)) ids.add(name);
    }
    return [...ids];
  }

  /** runc's view of the container; undefined when runc has no such container. */
  async state(id: string): Promise<RuntimeState | undefined> {
    checkId(id);
    const result = await this.#runcRaw(['state', id]);
    if (result.code !== 0) {
      const err = runtimeError('state', result.stderr);
      if (err.kind === 'not-found') return undefined;
      throw err;
    }
    const raw = JSON.parse(result.stdout) as { status?: unknown; pid?: unknown };
    const status = raw.status === 'creating' ? 'created' : raw.status;
    if (
      status !== 'created' &&
      status !== 'running' &&
      status !== 'paused' &&
      status !== 'stopped'
    ) {
      throw new BerthError('internal', `runc state ${id}: unknown status ${String(raw.status)}`);
    }
    return { status, pid: typeof raw.pid === 'number' ? raw.pid : 0 };
  }

  /**
   * The exit status conmon recorded (128+n for signal n; -1 when conmon could not tell);
   * undefined while the container has not exited (or never existed).
   */
  async exitCode(id: string): Promise<number | undefined> {
    checkId(id);
    return readExitFile(this.#paths(id).exitDir, id);
  }

  /**
   * Resolves with the exit status when the container's exit file appears — also for containers
   * an earlier daemon process created. Bounded by `signal` only (a container may run for
   * months); rejects with cancelled when it aborts, not-found for a container this state dir
   * does not hold, internal when the monitor died without writing the file (kill -9 of conmon).
   */
  async waitExit(id: string, signal?: AbortSignal): Promise<number> {
    checkId(id);
    const paths = this.#paths(id);
    const recorded = await readExitFile(paths.exitDir, id);
    if (recorded !== undefined) return recorded;
    if (!(await hasSpec(paths))) throw notFound(`No such container: ${id}`);
    return this.#exits.wait(id, {
      ...(signal ? { signal } : {}),
      alive: async () => (await this.#livePid(id, paths)) !== undefined,
    });
  }

  /**
   * The monitor's pid while it runs; undefined once it has exited (or for an unknown id). A
   * created or running container whose monitor is gone can no longer record an exit.
   */
  async conmonPid(id: string): Promise<number | undefined> {
    checkId(id);
    return this.#livePid(id, this.#paths(id));
  }

  /**
   * Attaches to the container's stdio through conmon's attach socket (via the python relay of
   * attach-relay.ts; Node cannot open SEQPACKET sockets). Output written from now on is copied
   * to io.stdout / io.stderr (earlier output is in the log), with back-pressure; io.stdin, if
   * given, to the container's stdin. Resolves when conmon closes the connection (the container
   * exited). Rejects with not-found for an unknown container, conflict when its monitor is gone
   * (it has exited), cancelled when io.signal aborts (that only detaches).
   */
  async attach(id: string, io: AttachStreams): Promise<void> {
    checkId(id);
    if (io.signal?.aborted) throw cancelled();
    const paths = this.#paths(id);
    if (!(await hasSpec(paths))) throw notFound(`No such container: ${id}`);
    if ((await this.#livePid(id, paths)) === undefined) {
      throw new BerthError('conflict', `container ${id} is not running`);
    }
    const python = this.#options.pythonPath ?? '/usr/bin/python3';
    const inputOnly = io.stdin !== undefined && !io.stdout && !io.stderr;
    const mode = inputOnly ? 'input' : io.stdin ? 'stdin' : 'nostdin';
    const child = spawn(python, ['-c', RELAY_SCRIPT, paths.dir, mode], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const decoder = new RelayFrameDecoder();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2048);
    });
    child.stdin.on('error', (err) => {
      // The relay exits when the container does; stdin still flowing then breaks the pipe.
      if (!hasErrno(err, 'EPIPE', 'ECONNRESET')) child.kill('SIGKILL');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.stream === ATTACH_CONNECTED) {
          io.onAttached?.();
          continue;
        }
        const target = frame.stream === ATTACH_STDERR ? io.stderr : io.stdout;
        if (target && !target.write(frame.data)) {
          child.stdout.pause();
          target.once('drain', () => child.stdout.resume());
        }
      }
    });
    if (io.stdin) io.stdin.pipe(child.stdin);

    await new Promise<void>((resolvePromise, reject) => {
      let aborted = false;
      const onAbort = (): void => {
        aborted = true;
        child.kill('SIGKILL');
      };
      io.signal?.addEventListener('abort', onAbort, { once: true });
      if (io.signal?.aborted) onAbort();
      child.once('error', (err) => {
        io.signal?.removeEventListener('abort', onAbort);
        reject(
          new BerthError('internal', `attach relay ${python}: ${err.message}`, { cause: err }),
        );
      });
      child.once('close', (code) => {
        io.signal?.removeEventListener('abort', onAbort);
        if (io.stdin) io.stdin.unpipe(child.stdin);
        child.stdin.destroy();
        if (aborted) reject(cancelled());
        else if (code === 0) resolvePromise();
        else if (code === 2) {
          // Cannot connect: the monitor went away since the check above (or never listened).
          reject(new BerthError('conflict', `container ${id} is not running: ${stderr.trim()}`));
        } else {
          reject(new BerthError('internal', `attach ${id}: ${stderr.trim() || `exit ${code}`}`));
        }
      });
    });
  }

  /**
   * Runs `process` inside the running container (runc exec; see exec-process.ts). Its files live
   * in the container's state dir under exec/<execId> until the process has exited.
   */
  async exec(
    id: string,
    execId: string,
    io: {
      readonly process: Process;
      /** The container's spec when the caller has read it already. */
      readonly spec?: Spec;
      readonly stdin?: NodeJS.ReadableStream;
      readonly stdout: NodeJS.WritableStream;
      readonly stderr: NodeJS.WritableStream;
    },
  ): Promise<ExecProcess> {
    checkId(id);
    checkId(execId);
    const paths = this.#paths(id);
    if (!(await hasSpec(paths))) throw notFound(`No such container: ${id}`);
    const { spec: given, ...streams } = io;
    const native = await this.#nativeExec(paths, io.process, given);
    this.#options.warmCgroupAttach?.();
    if (native !== undefined) {
      return native.exec.start({
        containerId: id,
        spec: native.spec,
        stateDir: paths.dir,
        ...streams,
      });
    }
    const workDir = join(paths.dir, 'exec', execId);
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    const started = await startExecProcess({
      runtimePath: this.#options.runtimePath,
      ...(this.#options.runtimeRoot !== undefined
        ? { runtimeRoot: this.#options.runtimeRoot }
        : {}),
      ...(this.#options.pythonPath !== undefined ? { pythonPath: this.#options.pythonPath } : {}),
      containerId: id,
      workDir,
      ...streams,
    }).catch(async (err: unknown) => {
      await rm(workDir, { recursive: true, force: true });
      throw err;
    });
    const exit = started.exit.finally(() => rm(workDir, { recursive: true, force: true }));
    return { pid: started.pid, exit, resize: (rows, cols) => started.resize(rows, cols) };
  }

  /** berth-exec and the container's spec when it can run `process` (see native-exec.ts). */
  async #nativeExec(
    paths: ContainerPaths,
    process: Process,
    given: Spec | undefined,
  ): Promise<{ exec: NativeExec; spec: Spec } | undefined> {
    const exec = this.#options.nativeExec;
    if (exec === undefined || basename(this.#options.runtimePath) !== 'runc') return undefined;
    const spec = given ?? (JSON.parse(await readFile(paths.config, 'utf8')) as Spec);
    return nativeExecBlocker(spec, process) === undefined ? { exec, spec } : undefined;
  }

  /** Sets a terminal container's window size (conmon's ctl fifo: "1 <rows> <cols>"). */
  async resize(id: string, rows: number, cols: number): Promise<void> {
    checkId(id);
    for (const [name, value] of [
      ['height', rows],
      ['width', cols],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 65535) {
        throw invalidArgument(`invalid ${name}: ${value}`);
      }
    }
    await this.#writeCtl(id, `1 ${rows} ${cols}\n`);
  }

  /** Makes conmon reopen the log file (after it was rotated away: ctl "2 0 0"). */
  async reopenLog(id: string): Promise<void> {
    checkId(id);
    await this.#writeCtl(id, '2 0 0\n');
  }

  // -- internals ---------------------------------------------------------------------------

  #paths(id: string): ContainerPaths {
    return containerPaths(this.#options.stateDir, id);
  }

  /** An exited container's runc records removed without runc, where that is safe (runc-reap.ts). */
  async #reaped(id: string, paths: ContainerPaths): Promise<boolean> {
    const root = this.#options.runtimeRoot;
    if (root === undefined || basename(this.#options.runtimePath) !== 'runc') return false;
    if (!existsSync(paths.exitFile)) return false;
    return (await reapExited(root, id)) === 'reaped';
  }

  async #runcRaw(args: readonly string[], signal?: AbortSignal): Promise<ProcessResult> {
    return runProcess(
      this.#options.runtimePath,
      [...runtimeGlobalArgs(this.#options.runtimeRoot), ...args],
      { timeoutMs: this.#commandTimeoutMs, ...(signal ? { signal } : {}) },
    );
  }

  async #runc(command: string, id: string, ...extra: string[]): Promise<void> {
    checkId(id);
    const result = await this.#runcRaw([command, id, ...extra]);
    if (result.code !== 0) throw runtimeError(command, result.stderr);
  }

  /** Makes the container's state dir, clearing leftovers of an id runc no longer knows. */
  async #claimStateDir(id: string, paths: ContainerPaths): Promise<void> {
    try {
      await mkdir(paths.dir, { mode: 0o700 });
      return;
    } catch (err) {
      if (!hasErrno(err, 'EEXIST')) throw err;
    }
    if ((await this.state(id)) !== undefined || (await this.#livePid(id, paths)) !== undefined) {
      throw new BerthError('conflict', `container ${id} already exists in the runtime`);
    }
    await rm(paths.dir, { recursive: true, force: true });
    await mkdir(paths.dir, { mode: 0o700 });
  }

  /**
   * Runs conmon and resolves with the container pid it reports on the sync pipe. The spawned
   * process exits as soon as the monitor it forked is set up (the monitor lets go of its stdio);
   * the monitor reports once runc create has finished, keeping the pipe (conmon marks it
   * close-on-exec, so runc does not), so the first line is the answer, not the pipe's end.
   * Started through the fork server when it runs: Node's own spawn blocks the event loop for a
   * fork of the whole daemon, the longest pause of a start.
   */
  async #spawnConmon(o: CreateOptions, paths: ContainerPaths): Promise<number> {
    const args = buildConmonArgs({
      id: o.id,
      runtimePath: this.#options.runtimePath,
      ...(this.#options.runtimeRoot !== undefined
        ? { runtimeRoot: this.#options.runtimeRoot }
        : {}),
      paths,
      logPath: o.logPath,
      ...(o.logMaxSize !== undefined ? { logMaxSize: o.logMaxSize } : {}),
      tty: o.tty,
      openStdin: o.openStdin,
      leaveStdinOpen: o.stdinOnce === false,
    });
    let result: Completed;
    try {
      result = await runToCompletion(this.#options.conmonPath, args, {
        timeoutMs: this.#createTimeoutMs,
        env: conmonEnv(process.env),
        newSession: true,
        syncPipe: { env: SYNC_PIPE_ENV },
        outputLimit: 8192,
      });
    } catch (err) {
      throw new BerthError(
        'internal',
        `cannot run conmon ${this.#options.conmonPath}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const output = `${result.stdout}${result.stderr}`;
    if (result.code !== 0) {
      // The spawned process exits 0 right after forking the monitor; anything else is a
      // failure before the fork (bad flags, unreadable paths).
      const why =
        result.code === null ? `killed by ${result.signal}` : `exit status ${result.code}`;
      throw new BerthError(
        'internal',
        `conmon failed (${why}): ${runtimeErrorMessage(output) || 'no message'}`,
      );
    }
    if (result.sync === undefined) {
      throw new BerthError(
        'internal',
        result.timedOut
          ? `container ${o.id}: conmon did not report within ${this.#createTimeoutMs} ms`
          : // The monitor died before reporting (it logs why to our stderr before detaching).
            `container ${o.id}: conmon exited before reporting the container's pid: ${
              runtimeErrorMessage(output) || 'no message'
            }`,
      );
    }
    let message: { data?: unknown; message?: unknown };
    try {
      message = JSON.parse(result.sync) as typeof message;
    } catch {
      throw new BerthError('internal', `conmon: bad sync message ${result.sync}`);
    }
    const data = typeof message.data === 'number' ? message.data : Number.NaN;
    if (data > 0) return data;
    const text = typeof message.message === 'string' ? message.message : '';
    // In Docker's words, which carry containerd's and the shim's part too.
    const failed = runtimeError('create', text || output || 'runtime create failed');
    throw new BerthError(
      failed.kind,
      `failed to create shim task: OCI runtime create failed: ${failed.message}: unknown`,
    );
  }

  /**
   * Undoes a failed create: runc's record (killing the init), the monitor (it exits once the
   * init is gone; killed after MONITOR_EXIT_WAIT_MS, e.g. when runc create hung), runc's record
   * again (a create that finished meanwhile), the files.
   */
  async #rollback(id: string, paths: ContainerPaths): Promise<void> {
    const forceDelete = async (): Promise<void> => {
      try {
        await this.#runcRaw(['delete', '--force', id]);
      } catch {
        // Best effort (a runc that timed out): the original error is the one to report.
      }
    };
    await forceDelete();
    await this.#stopMonitor(id, paths);
    await forceDelete();
    await rm(paths.dir, { recursive: true, force: true });
    await rm(paths.exitFile, { force: true });
  }

  /**
   * Waits up to MONITOR_EXIT_WAIT_MS for the container's monitor to exit (it does once runc has
   * removed the container and it has written the exit file), then kills it: only that pid, and
   * only when /proc says it is the conmon of this container.
   */
  async #stopMonitor(id: string, paths: ContainerPaths): Promise<void> {
    const deadline = Date.now() + MONITOR_EXIT_WAIT_MS;
    // It usually exits within a millisecond or two of writing the exit file.
    for (let pause = 1; Date.now() < deadline; pause = Math.min(pause * 2, 20)) {
      if ((await this.#livePid(id, paths)) === undefined) return;
      await sleep(pause);
    }
    const pid = await this.#livePid(id, paths);
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if (!hasErrno(err, 'ESRCH')) throw err;
    }
  }

  /** The monitor's pid if it is alive and is this container's conmon (not a reused pid). */
  async #livePid(id: string, paths: ContainerPaths): Promise<number | undefined> {
    const pid = await readPidFile(paths.conmonPidFile);
    if (pid === undefined) return undefined;
    try {
      const [cmdline, stat] = await Promise.all([
        readFile(`/proc/${pid}/cmdline`, 'utf8'),
        readFile(`/proc/${pid}/stat`, 'utf8'),
      ]);
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') return undefined;
      return cmdline.split('\0').includes(id) ? pid : undefined;
    } catch (err) {
      if (hasErrno(err, 'ENOENT', 'ESRCH')) return undefined;
      throw err;
    }
  }

  async #writeCtl(id: string, line: string): Promise<void> {
    const path = this.#paths(id).ctlFifo;
    let handle;
    try {
      // Non-blocking: with no reader (monitor gone) open fails with ENXIO instead of hanging.
      handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) throw notFound(`No such container: ${id}`);
      if (hasErrno(err, 'ENXIO'))
        throw new BerthError('conflict', `container ${id} is not running`);
      throw err;
    }
    try {
      await handle.write(line);
    } finally {
      await handle.close();
    }
  }
}

function checkId(id: string): void {
  if (!ID.test(id)) {
    throw invalidArgument(`invalid container id: ${JSON.stringify(id)}`);
  }
}

/** Copies <bundle>/config.json to `target`, root.path absolute, process.terminal = tty. */
async function copySpec(
  bundle: string,
  target: string,
  tty: boolean,
  given?: object,
): Promise<void> {
  let spec: { root?: { path?: unknown }; process?: { terminal?: boolean } };
  try {
    spec = (
      given !== undefined
        ? { ...given }
        : JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'))
    ) as typeof spec;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) throw invalidArgument(`no config.json in bundle ${bundle}`);
    if (err instanceof SyntaxError) {
      throw invalidArgument(`bundle ${bundle}: config.json: ${err.message}`);
    }
    throw err;
  }
  if (!spec.root || typeof spec.root.path !== 'string') {
    throw invalidArgument(`bundle ${bundle}: config.json has no root.path`);
  }
  // Copies of the parts changed: a given spec stays as the caller made it.
  if (!isAbsolute(spec.root.path))
    spec.root = { ...spec.root, path: resolve(bundle, spec.root.path) };
  if (spec.process) spec.process = { ...spec.process, terminal: tty };
  await writeFile(target, JSON.stringify(spec), { mode: 0o600 });
}

async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** Whether the container's state dir holds its spec copy (create got that far). */
async function hasSpec(paths: ContainerPaths): Promise<boolean> {
  try {
    await stat(paths.config);
    return true;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}
