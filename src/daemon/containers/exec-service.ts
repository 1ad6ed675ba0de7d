import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '../../core/containers/container.js';
import {
  BerthError,
  conflict,
  hasErrno,
  invalidArgument,
  isBerthError,
  notFound,
} from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import { ALL_CAPABILITIES } from '../../core/runtime/capabilities.js';
import type { ExecProcess } from '../../core/runtime/exec-process.js';
import type { Process, Spec } from '../../core/runtime/oci-types.js';
import { resolveUser } from '../../core/runtime/user.js';
import { readAccounts } from './accounts.js';
import type { ContainerService } from './container-service.js';
import { mergeEnv } from '../../core/containers/env.js';
import type { ExecConfig, ExecState, ExecStreams } from '../../core/containers/exec.js';

export type { ExecConfig, ExecState, ExecStreams };

/** The execution driver's part (ConmonRuntime satisfies it). */
export interface ExecRuntime {
  exec(
    id: string,
    execId: string,
    io: {
      process: Process;
      /** The container's spec, read already for the process (saves the runtime reading it). */
      spec?: Spec;
      stdin?: NodeJS.ReadableStream;
      stdout: NodeJS.WritableStream;
      stderr: NodeJS.WritableStream;
    },
  ): Promise<ExecProcess>;
}

export interface ExecServiceDeps {
  readonly containers: ContainerService;
  readonly runtime: ExecRuntime;
  readonly events: EventPublisher;
  /** Where each running container's OCI bundle (config.json) is. */
  readonly bundleRoot: string;
  readonly availableCapabilities?: readonly string[];
  /**
   * Readies the kernel for the cgroup move of the process to come (cgroups/attach-warmup.ts):
   * called at create, so the wait is over by the time the client starts the exec.
   */
  readonly warmCgroupAttach?: () => void;
}

interface ExecEntry {
  readonly id: string;
  readonly containerId: string;
  readonly config: ExecConfig;
  started: boolean;
  running: boolean;
  exitCode: number | null;
  pid: number;
  process?: ExecProcess;
  /** A resize that came before the process ran. */
  size?: { rows: number; cols: number };
}

/** How many finished execs are kept per container for inspect (Docker keeps them too). */
const KEPT_PER_CONTAINER = 100;

/** `docker exec`: processes started in running containers, kept in memory with their exit. */
export class ExecService {
  readonly #execs = new Map<string, ExecEntry>();

  constructor(private readonly deps: ExecServiceDeps) {}

  #running(ref: string): ContainerRecord {
    const c = this.deps.containers.resolve(ref);
    if (c.state.status === 'paused')
      throw conflict(`Container ${ref} is paused, unpause the container before exec`);
    if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`);
    return c;
  }

  #get(id: string): ExecEntry {
    const entry = this.#execs.get(id);
    if (!entry) throw notFound(`No such exec instance: ${id}`);
    return entry;
  }

  #publish(action: string, entry: ExecEntry, extra: Record<string, string> = {}): void {
    let c: ContainerRecord;
    try {
      c = this.deps.containers.resolve(entry.containerId);
    } catch {
      return;
    }
    this.deps.events.publish({
      type: 'container',
      action,
      actor: {
        id: c.id,
        attributes: { execID: entry.id, image: c.config.Image, name: c.name, ...extra },
      },
    });
  }

  create(ref: string, config: ExecConfig): string {
    if (config.cmd.length === 0) throw invalidArgument('No exec command specified');
    const c = this.#running(ref);
    this.#forgetRemoved();
    const id = randomBytes(32).toString('hex');
    this.#execs.set(id, {
      id,
      containerId: c.id,
      config,
      started: false,
      running: false,
      exitCode: null,
      pid: 0,
    });
    this.#trim(c.id);
    this.deps.warmCgroupAttach?.();
    this.#publish(`exec_create: ${execLine(config.cmd)}`, this.#get(id));
    return id;
  }

  /** Drops the oldest finished execs of a container beyond KEPT_PER_CONTAINER. */
  #trim(containerId: string): void {
    const finished = [...this.#execs.values()].filter(
      (e) => e.containerId === containerId && e.started && !e.running,
    );
    for (const e of finished.slice(0, Math.max(0, finished.length - KEPT_PER_CONTAINER)))
      this.#execs.delete(e.id);
  }

  inspect(id: string): ExecState {
    const e = this.#get(id);
    return {
      id: e.id,
      containerId: e.containerId,
      config: e.config,
      running: e.running,
      exitCode: e.exitCode,
      pid: e.pid,
    };
  }

  /** The exec ids of a container (inspect's ExecIDs): those not finished. */
  idsOf(containerId: string): string[] {
    return [...this.#execs.values()]
      .filter((e) => e.containerId === containerId && (e.running || !e.started))
      .map((e) => e.id);
  }

  /** Forgets the execs of containers that are gone. */
  #forgetRemoved(): void {
    for (const e of [...this.#execs.values()]) {
      try {
        this.deps.containers.resolve(e.containerId);
      } catch {
        this.#execs.delete(e.id);
      }
    }
  }

  /** Checks that `id` can start (for routes that must answer before the hijack). */
  checkStartable(id: string): ExecState {
    const e = this.#get(id);
    if (e.started)
      throw conflict(
        e.running
          ? `Error: Exec command ${id} is already running`
          : `Error: Exec command ${id} has already run`,
      );
    this.#running(e.containerId);
    return this.inspect(id);
  }

  /**
   * Runs the exec and resolves with its exit code once it has exited and its output has been
   * written to the streams. A process runc cannot start exits 126 with runc's message on stdout,
   * as Docker reports it.
   */
  async start(id: string, io: ExecStreams): Promise<number> {
    const e = this.#get(id);
    this.checkStartable(id);
    e.started = true;
    e.running = true;
    try {
      let process: Process;
      let spec: Spec;
      try {
        ({ process, spec } = await this.#process(e));
      } catch (err) {
        // As with Docker, which resolves the user itself: the exec fails (126, the message on
        // its output), not the request.
        if (!isBerthError(err, 'invalid-argument')) throw err;
        io.stdout.write(`${err.message}\r\n`);
        e.exitCode = 126;
        return 126;
      }
      this.#publish(`exec_start: ${execLine(e.config.cmd)}`, e);
      const proc = await this.deps.runtime.exec(e.containerId, e.id, {
        process,
        spec,
        ...(io.stdin && e.config.attachStdin ? { stdin: io.stdin } : {}),
        stdout: io.stdout,
        stderr: io.stderr,
      });
      e.process = proc;
      if (e.size) proc.resize(e.size.rows, e.size.cols);
      void proc.pid.then((pid) => {
        e.pid = pid ?? 0;
        if (e.size) proc.resize(e.size.rows, e.size.cols);
      });
      const exit = await proc.exit;
      if (exit.runtimeError !== undefined)
        io.stdout.write(`OCI runtime exec failed: ${exit.runtimeError}: unknown\r\n`);
      e.exitCode = exit.code;
      return exit.code;
    } catch (err) {
      e.exitCode = 126;
      throw err;
    } finally {
      e.running = false;
      this.#publish('exec_die', e, { exitCode: String(e.exitCode ?? 126) });
    }
  }

  /** Kills a running exec's process (a health probe past its timeout). */
  kill(id: string): void {
    const e = this.#get(id);
    if (!e.running || e.pid <= 0) return;
    try {
      process.kill(e.pid, 'SIGKILL');
    } catch {
      // it has exited meanwhile
    }
  }

  resize(id: string, rows: number, cols: number): void {
    const e = this.#get(id);
    e.size = { rows, cols };
    e.process?.resize(rows, cols);
  }

  /** The exec's process spec: the container's, with the exec's command, env, user, cwd, tty. */
  async #process(e: ExecEntry): Promise<{ process: Process; spec: Spec }> {
    let spec: Spec;
    try {
      spec = JSON.parse(
        await readFile(join(this.deps.bundleRoot, e.containerId, 'config.json'), 'utf8'),
      ) as Spec;
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) throw conflict(`Container ${e.containerId} is not running`);
      throw err;
    }
    const base = spec.process;
    const c = this.deps.containers.resolve(e.containerId);
    let user = base.user;
    if (e.config.user !== '') {
      // Inside the container's root: its /etc/passwd may be a symlink to a host path.
      const accounts = readAccounts(spec.root.path);
      const resolved = resolveUser(e.config.user, accounts.passwd, accounts.group, [
        ...(c.host.groupAdd ?? []),
      ]);
      user = { uid: resolved.uid, gid: resolved.gid, additionalGids: resolved.additionalGids };
    }
    const capabilities = e.config.privileged
      ? allCapabilities(this.deps.availableCapabilities ?? ALL_CAPABILITIES)
      : base.capabilities;
    const env = mergeEnv(base.env, e.config.env);
    if (e.config.tty && !env.some((v) => v.startsWith('TERM='))) env.push('TERM=xterm');
    const process: Process = {
      ...base,
      terminal: e.config.tty,
      args: [...e.config.cmd],
      env,
      cwd: e.config.workingDir || base.cwd,
      user,
      capabilities,
    };
    delete process.consoleSize;
    if (!process.args[0]) throw new BerthError('invalid-argument', 'No exec command specified');
    return { process, spec };
  }
}

function allCapabilities(caps: readonly string[]): Process['capabilities'] {
  const list = [...caps];
  return { bounding: list, effective: list, permitted: list };
}

/** An exec's command as Docker's events give it: the program, a space, its arguments. */
function execLine(cmd: readonly string[]): string {
  return `${cmd[0] ?? ''} ${cmd.slice(1).join(' ')}`;
}
