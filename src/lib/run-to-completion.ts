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
}

export interface Completed {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
}

const OUTPUT_LIMIT = 256 * 1024;
/** How long past its own time limit an answer from the fork server may take. */
const SERVER_GRACE_MS = 5000;

/** The fork server: requests and answers as JSON lines; each request runs in a thread. */
export const FORK_SERVER_SCRIPT = String.raw`
import json, subprocess, sys, threading
lock = threading.Lock()
procs = {}
def send(obj):
    with lock:
        sys.stdout.write(json.dumps(obj) + '\n')
        sys.stdout.flush()
def run(req):
    rid = req['id']
    has_input = 'input' in req
    try:
        p = subprocess.Popen(req['argv'], cwd=req.get('cwd'), env=req.get('env'),
                             stdin=subprocess.PIPE if has_input else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        send({'id': rid, 'error': e.strerror or str(e), 'errno': e.errno or 0})
        return
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
    send({'id': rid, 'rc': p.returncode, 'out': out[:limit].decode('utf8', 'replace'),
          'err': err[:limit].decode('utf8', 'replace'), 'timedOut': timed_out})
for line in sys.stdin:
    req = json.loads(line)
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
        })}\n`,
      );
    });
  }

  stop(): void {
    this.#child.stdin?.end();
  }
}

let server: ForkServer | undefined;

/** Starts the fork server (idempotent); programs run through it from now on. */
export function startForkServer(python = '/usr/bin/python3'): void {
  if (server?.alive) return;
  server = new ForkServer(python, () => {
    server = undefined;
  });
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
    const child = spawn(command, args, {
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      env: o.env ?? process.env,
      stdio: [o.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    const out = child.stdout as Readable;
    const err = child.stderr as Readable;
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
      child.kill('SIGKILL');
    }, o.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGKILL');
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (err) => {
      done();
      reject(err);
    });
    child.once('close', (code, signal) => {
      done();
      resolve({
        code,
        signal,
        stdout: stdout.slice(0, limit),
        stderr: stderr.slice(0, limit),
        timedOut,
        aborted,
      });
    });
    if (o.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(o.input);
    }
  });
}
