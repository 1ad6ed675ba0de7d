// Runs short-lived host programs (runc delete, mount, ip, ...) to completion, keeping a bounded
// amount of their output. Node forks the whole daemon for every child (libuv has no vfork), and
// the fork copies the page tables of an 80 MB process: ~3 ms of a blocked event loop per
// program, five or six programs per `docker run`. A fork server, a small python process that
// starts the programs for the daemon with vfork (CPython's subprocess), takes that cost away;
// without it (no python, or it died) the programs are spawned directly.

import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface RunOptions {
  /** Killed with SIGKILL after this long; the result then says timedOut. */
  readonly timeoutMs: number;
  readonly cwd?: string;
  /** The whole environment (default: the daemon's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin (default: no stdin). */
  readonly input?: string;
  /** Kills the program; the result then says aborted. */
  readonly signal?: AbortSignal;
  /** Output kept from each stream (default 256 KiB). */
  readonly outputLimit?: number;
  /** In a session of its own (setsid), apart from the daemon's terminal signals. */
  readonly newSession?: boolean;
  /**
   * Gives the program the write end of a pipe, its fd number in this environment variable (as
   * conmon's _OCI_SYNCPIPE). The result's `sync` is the first line written to it: read once the
   * program has exited, until a newline, the pipe's end or the time limit, so a process the
   * program leaves behind may write it later.
   */
  readonly syncPipe?: { readonly env: string };
}

export interface Completed {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** With syncPipe: the line (without its newline); undefined when none came before its end. */
  readonly sync?: string;
}

const OUTPUT_LIMIT = 256 * 1024;
/** How long past its own time limit an answer from the fork server may take. */
const SERVER_GRACE_MS = 5000;
/** The longest sync line kept. */
const SYNC_LIMIT = 64 * 1024;

/** The fork server: requests and answers as JSON lines; each request runs in a thread. */
export const FORK_SERVER_SCRIPT = String.raw`
import ctypes, json, os, select, subprocess, sys, threading, time
lock = threading.Lock()
procs = {}
libc = ctypes.CDLL(None, use_errno=True)
home = os.getcwd()
cwd_lock = threading.Lock()
def send(obj):
    with lock:
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()
def first_line(fd, deadline):
    buf = b''
    while b'\n' not in buf and len(buf) < ${SYNC_LIMIT}:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None, True
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buf += chunk
    if b'\n' not in buf:
        return None, False
    return buf.split(b'\n', 1)[0].decode('utf8', 'replace'), False
def run(req):
    rid = req['id']
    has_input = 'input' in req
    deadline = time.monotonic() + req['timeout'] / 1000
    env = req.get('env')
    sync = req.get('sync')
    pass_fds = ()
    if sync is not None:
        sync_r, sync_w = os.pipe()
        env = dict(os.environ if env is None else env)
        env[sync] = str(sync_w)
        pass_fds = (sync_w,)
    try:
        p = subprocess.Popen(req['argv'], cwd=req.get('cwd') or home, env=env, pass_fds=pass_fds,
                             start_new_session=req.get('session', False),
                             stdin=subprocess.PIPE if has_input else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        if sync is not None:
            os.close(sync_r)
        send({'id': rid, 'error': e.strerror or str(e), 'errno': e.errno or 0})
        return
    finally:
        if sync is not None:
            os.close(sync_w)
    procs[rid] = p
    timed_out = False
    data = req['input'].encode() if has_input else None
    try:
        out, err = p.communicate(data, timeout=req['timeout'] / 1000)
    except subprocess.TimeoutExpired:
        timed_out = True
        p.kill()
        out, err = p.communicate()
    procs.pop(rid, None)
    limit = req['limit']
    answer = {'id': rid, 'rc': p.returncode, 'out': out[:limit].decode('utf8', 'replace'),
              'err': err[:limit].decode('utf8', 'replace'), 'timedOut': timed_out}
    if sync is not None:
        line, late = first_line(sync_r, deadline) if not timed_out else (None, False)
        os.close(sync_r)
        answer['sync'] = line
        answer['timedOut'] = timed_out or late
    send(answer)
def syscall(req):
    rid, a = req['id'], req['args']
    arg = lambda k: a[k].encode() if a.get(k) is not None else None
    try:
        with cwd_lock:
            os.chdir(a.get('cwd') or home)
            try:
                if req['syscall'] == 'mount':
                    rc = libc.mount(arg('source'), arg('target'), arg('fstype'),
                                    ctypes.c_ulong(a.get('flags', 0)), arg('data'))
                else:
                    rc = libc.umount2(arg('target'), ctypes.c_int(a.get('flags', 0)))
                e = ctypes.get_errno() if rc != 0 else 0
            finally:
                os.chdir(home)
    except OSError as err:
        e = err.errno or 0
    send({'id': rid, 'errno': e, 'err': os.strerror(e) if e else ''})
for line in sys.stdin:
    req = json.loads(line)
    if 'syscall' in req:
        threading.Thread(target=syscall, args=(req,), daemon=True).start()
        continue
    if 'kill' in req:
        p = procs.get(req['kill'])
        if p is not None:
            try:
                p.kill()
            except OSError:
                pass
        continue
    threading.Thread(target=run, args=(req,), daemon=True).start()
`;

interface Answer {
  readonly id: number;
  readonly rc?: number;
  readonly out?: string;
  readonly err?: string;
  readonly timedOut?: boolean;
  readonly sync?: string | null;
  readonly error?: string;
  readonly errno?: number;
}

function signalName(n: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, v]) => v === n);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

class ForkServer {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (a: Answer) => void>();
  #next = 1;
  #alive = true;

  constructor(python: string, onExit: () => void) {
    this.#child = spawn(python, ['-c', FORK_SERVER_SCRIPT], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.#child.stdin?.on('error', () => undefined);
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      let answer: Answer;
      try {
        answer = JSON.parse(line) as Answer;
      } catch {
        return;
      }
      const settle = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      settle?.(answer);
    });
    const dead = (): void => {
      if (!this.#alive) return;
      this.#alive = false;
      for (const [id, settle] of this.#pending)
        settle({ id, error: 'the fork server exited', errno: 0 });
      this.#pending.clear();
      onExit();
    };
    this.#child.on('exit', dead);
    this.#child.on('error', dead);
  }

  get alive(): boolean {
    return this.#alive;
  }

  run(command: string, args: readonly string[], o: RunOptions): Promise<Completed> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      let aborted = false;
      const onAbort = (): void => {
        aborted = true;
        this.#child.stdin?.write(`${JSON.stringify({ kill: id })}\n`);
      };
      const guard = setTimeout(
        () => settle({ id, error: `no answer within ${o.timeoutMs} ms`, errno: 0 }),
        o.timeoutMs + SERVER_GRACE_MS,
      );
      const settle = (a: Answer): void => {
        clearTimeout(guard);
        o.signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
        if (a.error !== undefined) {
          const err = new Error(`${command}: ${a.error}`) as NodeJS.ErrnoException;
          if (a.errno === 2) err.code = 'ENOENT';
          reject(err);
          return;
        }
        const rc = a.rc ?? 0;
        resolve({
          code: rc >= 0 ? rc : null,
          signal: rc < 0 ? signalName(-rc) : null,
          stdout: a.out ?? '',
          stderr: a.err ?? '',
          timedOut: a.timedOut === true,
          aborted,
          ...(typeof a.sync === 'string' ? { sync: a.sync } : {}),
        });
      };
      this.#pending.set(id, settle);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      this.#child.stdin?.write(
        `${JSON.stringify({
          id,
          argv: [command, ...args],
          timeout: o.timeoutMs,
          limit: o.outputLimit ?? OUTPUT_LIMIT,
          ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
          ...(o.env !== undefined ? { env: o.env } : {}),
          ...(o.input !== undefined ? { input: o.input } : {}),
          ...(o.newSession ? { session: true } : {}),
          ...(o.syncPipe ? { sync: o.syncPipe.env } : {}),
        })}\n`,
      );
    });
  }

  syscall(name: 'mount' | 'umount', args: SyscallArgs, timeoutMs: number): Promise<SyscallResult> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const guard = setTimeout(
        () => settle({ id, error: `no answer within ${timeoutMs} ms`, errno: 0 }),
        timeoutMs,
      );
      const settle = (a: Answer): void => {
        clearTimeout(guard);
        this.#pending.delete(id);
        if (a.error !== undefined) reject(new Error(`${name}: ${a.error}`));
        else resolve({ errno: a.errno ?? 0, message: a.err ?? '' });
      };
      this.#pending.set(id, settle);
      this.#child.stdin?.write(`${JSON.stringify({ id, syscall: name, args })}\n`);
    });
  }

  stop(): void {
    this.#child.stdin?.end();
  }
}

interface SyscallArgs {
  readonly source?: string;
  readonly target: string;
  readonly fstype?: string;
  readonly data?: string;
  readonly flags?: number;
  /** The working directory of the call, for relative paths in `data` (overlay's lowerdir). */
  readonly cwd?: string;
}

/** errno 0 when the call succeeded; otherwise the errno and its text. */
export interface SyscallResult {
  readonly errno: number;
  readonly message: string;
}

/** umount2's flag for a lazy unmount. */
export const MNT_DETACH = 2;

/**
 * mount(2) made by the fork server: no mount(8) process (~4 ms each). Undefined when the server
 * does not run; the caller then runs mount(8). Rejects when the server gives no answer in time.
 */
export function mountByServer(
  args: SyscallArgs & { readonly source: string; readonly fstype: string },
  timeoutMs: number,
): Promise<SyscallResult> | undefined {
  return server?.alive ? server.syscall('mount', args, timeoutMs) : undefined;
}

/** umount2(2) made by the fork server, as mountByServer. */
export function umountByServer(
  target: string,
  flags: number,
  timeoutMs: number,
): Promise<SyscallResult> | undefined {
  return server?.alive ? server.syscall('umount', { target, flags }, timeoutMs) : undefined;
}

let server: ForkServer | undefined;

/** Starts the fork server (idempotent); programs run through it from now on. */
export function startForkServer(python = '/usr/bin/python3'): void {
  if (server?.alive) return;
  // An earlier server's exit, seen late, must not take the new one's place away.
  const started = new ForkServer(python, () => {
    if (server === started) server = undefined;
  });
  server = started;
}

/** Ends the fork server: programs are spawned directly again. */
export function stopForkServer(): void {
  server?.stop();
  server = undefined;
}

/**
 * Runs `command args` to completion; resolves whatever its status (the caller says what a
 * failure means) and rejects only when it cannot be started.
 */
export function runToCompletion(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<Completed> {
  if (options.signal?.aborted)
    return Promise.resolve({
      code: null,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      aborted: true,
    });
  if (server?.alive) return server.run(command, args, options);
  return spawnDirectly(command, args, options);
}

function spawnDirectly(
  command: string,
  args: readonly string[],
  o: RunOptions,
): Promise<Completed> {
  const limit = o.outputLimit ?? OUTPUT_LIMIT;
  return new Promise((resolve, reject) => {
    const env = o.env ?? process.env;
    const child = spawn(command, args, {
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      env: o.syncPipe ? { ...env, [o.syncPipe.env]: '3' } : env,
      stdio: [
        o.input !== undefined ? 'pipe' : 'ignore',
        'pipe',
        'pipe',
        ...(o.syncPipe ? ['pipe' as const] : []),
      ],
      ...(o.newSession ? { detached: true } : {}),
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    // What the answer waits for: the exit, the ends of stdout and stderr, the sync line.
    let waiting = o.syncPipe ? 4 : 3;
    let sync: string | undefined;
    const out = child.stdout as Readable;
    const err = child.stderr as Readable;
    const syncPipe = o.syncPipe ? (child.stdio[3] as Readable) : undefined;
    out.setEncoding('utf8');
    err.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      if (stdout.length < limit) stdout += chunk;
    });
    err.on('data', (chunk: string) => {
      if (stderr.length < limit) stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (status === undefined) child.kill('SIGKILL');
      else if (syncPipe) syncDone();
    }, o.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGKILL');
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const partDone = (): void => {
      waiting -= 1;
      if (waiting > 0 || status === undefined) return;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      syncPipe?.destroy();
      if (o.newSession) child.unref();
      resolve({
        ...status,
        stdout: stdout.slice(0, limit),
        stderr: stderr.slice(0, limit),
        timedOut,
        aborted,
        ...(sync !== undefined ? { sync } : {}),
      });
    };
    let syncEnded = false;
    const syncDone = (): void => {
      if (syncEnded) return;
      syncEnded = true;
      partDone();
    };
    let line = '';
    syncPipe?.on('data', (chunk: Buffer) => {
      if (syncEnded) return;
      line += chunk.toString();
      const end = line.indexOf('\n');
      if (end >= 0) sync = line.slice(0, end);
      if (end >= 0 || line.length > SYNC_LIMIT) syncDone();
    });
    syncPipe?.once('end', syncDone);
    syncPipe?.once('error', syncDone);
    out.once('close', partDone);
    err.once('close', partDone);
    child.once('error', (error) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      syncPipe?.destroy();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      status = { code, signal };
      if (timedOut || aborted) syncDone();
      partDone();
    });
    if (o.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(o.input);
    }
  });
}
