// `docker exec` without a terminal through berth-exec (native/berth-exec.c) instead of
// `runc exec`: the same steps in the same order (join the init process's namespaces and the
// container's cgroups, rlimits, umask, user and groups, capability sets, no_new_privs, the same
// seccomp filter, working directory, exec), without runc's Go start-up, its self-copy and its
// per-exec seccomp compilation: an exec of `true` takes ~4 ms instead of runc's 30-40 ms.
//
// The seccomp filter is compiled once per profile by libseccomp (berth-exec compile) from the
// container's own OCI seccomp object, the way runc compiles it, and kept beside the container's
// state. Whatever this path does not reproduce exactly goes to runc exec instead (see
// nativeExecBlocker): a terminal, AppArmor, a user namespace, a seccomp profile whose default
// action is not ENOSYS (runc adds its own stub for unknown system calls then), filter flags or
// actions other than allow/errno/kill/trap/log, and any runtime but runc.
//
// berth-exec reports on fd 3: "pid N" once the command runs, or "error <message>" (runc's
// wording) when it cannot start it; it exits with the process's status.

import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { accessSync, existsSync, constants as fsConstants } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { BerthError, conflict, hasErrno } from '../errors.js';
import { ALL_CAPABILITIES } from './capabilities.js';
import { copyWithBackPressure, type ExecExit, type ExecProcess } from './exec-process.js';
import type { LinuxSeccomp, Process, SeccompAction, Spec } from './oci-types.js';

const ENOSYS = 38;
const EPERM = 1;
const RLIM_INFINITY = '18446744073709551615';

/** The rlimit resource numbers of Linux (asm-generic/resource.h). */
const RLIMITS: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
};

/** /proc/<pid>/ns names of the OCI namespace types, in the order they are joined. */
const NAMESPACE_FILES: ReadonlyArray<readonly [string, string]> = [
  ['ipc', 'ipc'],
  ['uts', 'uts'],
  ['network', 'net'],
  ['cgroup', 'cgroup'],
  ['pid', 'pid'],
  ['mount', 'mnt'],
];

const ACTIONS: Partial<Record<SeccompAction, string>> = {
  SCMP_ACT_ALLOW: 'allow',
  SCMP_ACT_ERRNO: 'errno',
  SCMP_ACT_KILL: 'kill_thread',
  SCMP_ACT_KILL_THREAD: 'kill_thread',
  SCMP_ACT_KILL_PROCESS: 'kill_process',
  SCMP_ACT_TRAP: 'trap',
  SCMP_ACT_LOG: 'log',
};

/** Why `process` in the container of `spec` must go through runc exec; undefined when it need not. */
export function nativeExecBlocker(spec: Spec, process: Process): string | undefined {
  if (process.terminal === true) return 'a terminal';
  if (process.apparmorProfile) return 'an AppArmor profile';
  if (spec.linux.namespaces.some((ns) => ns.type === 'user')) return 'a user namespace';
  if (spec.linux.seccomp && seccompRules(spec.linux.seccomp) === undefined)
    return 'this seccomp profile';
  if (capabilityMask(process.capabilities.bounding) === undefined) return 'a capability name';
  for (const r of process.rlimits ?? []) if (RLIMITS[r.type] === undefined) return r.type;
  return undefined;
}

/**
 * The OCI seccomp object as berth-exec compile reads it, with runc's conversion: rules with the
 * default action left out, and a rule with two conditions on one argument split into one rule per
 * condition. Undefined for what the native path does not handle (see the module comment).
 */
export function seccompRules(s: LinuxSeccomp): string | undefined {
  if (s.defaultAction !== 'SCMP_ACT_ERRNO' || s.defaultErrnoRet !== ENOSYS) return undefined;
  if ((s.flags ?? []).length > 0 || s.listenerPath) return undefined;
  const lines = [`default errno ${ENOSYS}`];
  for (const arch of s.architectures ?? []) {
    if (!/^SCMP_ARCH_[A-Z0-9_]+$/.test(arch)) return undefined;
    lines.push(`arch ${arch.slice('SCMP_ARCH_'.length).toLowerCase()}`);
  }
  for (const rule of s.syscalls ?? []) {
    const action = ACTIONS[rule.action];
    if (action === undefined) return undefined;
    const ret = rule.action === 'SCMP_ACT_ERRNO' ? (rule.errnoRet ?? EPERM) : 0;
    if (action === 'errno' && ret === ENOSYS) continue; // the default action
    const conditions: string[] = [];
    const perArgument = new Map<number, number>();
    for (const a of rule.args ?? []) {
      const op = a.op.startsWith('SCMP_CMP_') ? a.op.slice('SCMP_CMP_'.length) : '';
      const two = a.valueTwo ?? 0;
      if (
        !['NE', 'LT', 'LE', 'EQ', 'GE', 'GT', 'MASKED_EQ'].includes(op) ||
        !Number.isInteger(a.index) ||
        a.index < 0 ||
        a.index > 5 ||
        !isSafeUnsigned(a.value) ||
        !isSafeUnsigned(two)
      )
        return undefined;
      conditions.push(`${a.index} ${op} ${a.value} ${two}`);
      perArgument.set(a.index, (perArgument.get(a.index) ?? 0) + 1);
    }
    const split = [...perArgument.values()].some((n) => n > 1);
    for (const name of rule.names) {
      if (!/^[a-z0-9_]+$/.test(name)) return undefined;
      const head = `rule ${action} ${ret} ${name}`;
      if (split) for (const c of conditions) lines.push(`${head} 1 ${c}`);
      else lines.push(`${head} ${conditions.length}${conditions.map((c) => ` ${c}`).join('')}`);
    }
  }
  return lines.join('\n') + '\n';
}

function isSafeUnsigned(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** A 64-bit capability set as hex; undefined when a name is unknown. */
export function capabilityMask(names: readonly string[] | undefined): string | undefined {
  let mask = 0n;
  for (const name of names ?? []) {
    const bit = ALL_CAPABILITIES.indexOf(name);
    if (bit < 0) return undefined;
    mask |= 1n << BigInt(bit);
  }
  return mask.toString(16);
}

/** What runc's state.json says about a running container. */
export interface RuncState {
  readonly initPid: number;
  /** The init process's start time (clock ticks since boot, /proc/<pid>/stat field 22). */
  readonly initStart: number;
  /** The container's cgroup directories, one per hierarchy. */
  readonly cgroupPaths: readonly string[];
}

export function parseRuncState(text: string): RuncState {
  const state = JSON.parse(text) as {
    init_process_pid?: unknown;
    init_process_start?: unknown;
    cgroup_paths?: unknown;
  };
  const pid = state.init_process_pid;
  const start = state.init_process_start;
  const paths = state.cgroup_paths;
  if (
    typeof pid !== 'number' ||
    !Number.isInteger(pid) ||
    pid <= 0 ||
    typeof start !== 'number' ||
    !Number.isInteger(start) ||
    typeof paths !== 'object' ||
    paths === null
  )
    throw new Error('runc state without init process or cgroups');
  const cgroupPaths = [...new Set(Object.values(paths as Record<string, unknown>))];
  if (!cgroupPaths.every((p): p is string => typeof p === 'string' && p.startsWith('/')))
    throw new Error('runc state with a bad cgroup path');
  return { initPid: pid, initStart: start, cgroupPaths };
}

/** berth-exec run's arguments for `process` in the container of `spec`. */
export function helperArgs(
  spec: Spec,
  process: Process,
  state: RuncState,
  seccompFile: string | undefined,
): string[] {
  const args = ['run', '--pid', String(state.initPid), '--start', String(state.initStart)];
  for (const [type, file] of NAMESPACE_FILES)
    if (spec.linux.namespaces.some((ns) => ns.type === type)) args.push('--ns', file);
  for (const dir of state.cgroupPaths) args.push('--cgroup', dir);
  const user = process.user;
  args.push('--uid', String(user.uid), '--gid', String(user.gid));
  for (const gid of user.additionalGids ?? []) args.push('--group', String(gid));
  if (user.umask !== undefined) args.push('--umask', user.umask.toString(8));
  const caps = process.capabilities;
  for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) {
    const mask = capabilityMask(caps[set]);
    if (mask === undefined)
      throw new BerthError('invalid-argument', `unknown capability in ${set}`);
    args.push(`--${set}`, mask);
  }
  if (process.noNewPrivileges) args.push('--no-new-privs', '1');
  for (const r of process.rlimits ?? []) {
    const resource = RLIMITS[r.type];
    if (resource === undefined)
      throw new BerthError('invalid-argument', `unknown rlimit ${r.type}`);
    args.push('--rlimit', `${resource}:${rlimitValue(r.soft)}:${rlimitValue(r.hard)}`);
  }
  if (process.oomScoreAdj !== undefined) args.push('--oom-score-adj', String(process.oomScoreAdj));
  if (seccompFile !== undefined) args.push('--seccomp', seccompFile);
  args.push('--cwd', process.cwd, '--', ...process.args);
  return args;
}

function rlimitValue(n: number): string {
  return n >= 2 ** 63 || n < 0 ? RLIM_INFINITY : String(n);
}

/** The process environment, as berth-exec gets it (entries without '=' are left out, as runc does). */
function environment(env: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** The built berth-exec (dist/native/berth-exec), when it is there and executable. */
export function findExecHelper(): string | undefined {
  const path = fileURLToPath(new URL('../../../native/berth-exec', import.meta.url));
  try {
    accessSync(path, fsConstants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

export interface NativeExecOptions {
  /** dist/native/berth-exec. */
  readonly helperPath: string;
  /** runc's --root: where its state.json of each container is. */
  readonly runtimeRoot: string;
}

export interface NativeExecRequest {
  readonly containerId: string;
  readonly spec: Spec;
  readonly process: Process;
  /** The container's state dir: the compiled seccomp filter is kept there. */
  readonly stateDir: string;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export class NativeExec {
  readonly #options: NativeExecOptions;
  /** Compiled filters by the sha256 of their rules: one libseccomp run per profile. */
  readonly #filters = new Map<string, Promise<Buffer>>();

  constructor(options: NativeExecOptions) {
    this.#options = options;
  }

  async start(r: NativeExecRequest): Promise<ExecProcess> {
    let state: RuncState;
    try {
      state = parseRuncState(
        await readFile(join(this.#options.runtimeRoot, r.containerId, 'state.json'), 'utf8'),
      );
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
      throw conflict(`container ${r.containerId} is not running`);
    }
    const seccompFile = r.spec.linux.seccomp
      ? await this.#seccompFile(r.spec.linux.seccomp, r.stateDir)
      : undefined;
    const child = spawn(
      this.#options.helperPath,
      helperArgs(r.spec, r.process, state, seccompFile),
      {
        stdio: [r.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
        env: environment(r.process.env),
      },
    );
    const childStdin = child.stdin;
    if (r.stdin && childStdin) {
      childStdin.on('error', () => undefined); // the process may exit before reading its input
      r.stdin.pipe(childStdin);
    }
    copyWithBackPressure(child.stdout as Readable, r.stdout);
    copyWithBackPressure(child.stderr as Readable, r.stderr);

    let resolvePid!: (pid: number | undefined) => void;
    const pid = new Promise<number | undefined>((resolve) => (resolvePid = resolve));
    let report = '';
    const status = child.stdio[3] as Writable & Readable;
    status.setEncoding('utf8');
    status.on('error', () => undefined);
    status.on('data', (s: string) => {
      report += s;
      const found = /^pid (\d+)$/m.exec(report);
      if (found) resolvePid(Number(found[1]));
    });

    const exit = new Promise<ExecExit>((resolve, reject) => {
      child.once('error', (err) => {
        resolvePid(undefined);
        reject(new BerthError('internal', `exec: cannot run berth-exec: ${err.message}`));
      });
      child.once('close', (code, signal) => {
        if (r.stdin && childStdin) r.stdin.unpipe(childStdin);
        resolvePid(undefined);
        const error = /^error (.*)$/m.exec(report)?.[1];
        if (error !== undefined) resolve({ code: 126, runtimeError: error });
        else resolve({ code: code ?? 128 + (signal ? (constants.signals[signal] ?? 9) : 0) });
      });
    });
    return { pid, exit, resize: () => undefined };
  }

  /**
   * The container's compiled filter, written at its first exec. The state dir is made anew at
   * each start of the container, so a filter there is the running spec's.
   */
  async #seccompFile(seccomp: LinuxSeccomp, stateDir: string): Promise<string> {
    const file = join(stateDir, 'seccomp.bpf');
    if (existsSync(file)) return file;
    const rules = seccompRules(seccomp);
    if (rules === undefined) throw new BerthError('internal', 'seccomp profile not supported');
    const key = createHash('sha256').update(rules).digest('hex');
    let compiled = this.#filters.get(key);
    if (compiled === undefined) {
      compiled = this.#compile(rules);
      this.#filters.set(key, compiled);
      compiled.catch(() => this.#filters.delete(key));
    }
    const bpf = await compiled;
    const tmp = `${file}.${randomUUID()}`;
    await writeFile(tmp, bpf, { mode: 0o600 });
    await rename(tmp, file);
    return file;
  }

  #compile(rules: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.#options.helperPath, ['compile'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.once('error', reject);
      child.once('close', (code) => {
        const bpf = Buffer.concat(out);
        if (code === 0 && bpf.length > 0 && bpf.length % 8 === 0) resolve(bpf);
        else
          reject(
            new BerthError(
              'internal',
              `compiling the seccomp filter failed: ${Buffer.concat(err).toString().trim() || `exit ${code}`}`,
            ),
          );
      });
      child.stdin.end(rules);
    });
  }
}
