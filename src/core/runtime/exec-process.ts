// One process run inside a running container (`docker exec`), through `runc exec`.
//
// Without a terminal, runc exec is spawned directly: the process inherits runc's stdio, so its
// output comes straight out of the pipes with no monitor in between (an exec of `true` costs one
// runc exec). runc's own words, when it cannot start the process, come out of the same stderr
// pipe; so stderr is held back until runc has written the pid file (the process is running) or
// has exited, and a failure is told apart from the process's own stderr by runc's JSON log.
//
// With a terminal, runc hands the pty's master over a console socket (SCM_RIGHTS), which Node
// cannot receive, and only when it detaches; a small python relay (TTY_EXEC_SCRIPT) listens on
// the socket, runs `runc exec --detach`, reaps the process as its subreaper, and copies between
// the master and its own stdin/stdout. Window sizes go to it as "rows cols" lines on fd 3; it
// exits with the process's status.
//
// runc exec without -d waits for the process and exits with its status (128+n for signal n), so
// without a terminal the exit code is runc's. Exec processes are the daemon's children: unlike containers, they do
// not survive a daemon restart.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { BerthError, hasErrno } from '../errors.js';
import { runtimeGlobalArgs } from './conmon-args.js';
import type { Process } from './oci-types.js';

export interface ExecProcessOptions {
  readonly runtimePath: string;
  readonly runtimeRoot?: string;
  readonly containerId: string;
  /** An empty directory for process.json, the pid file, runc's log and the console socket. */
  readonly workDir: string;
  readonly process: Process;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** python3, for a terminal exec (default /usr/bin/python3). */
  readonly pythonPath?: string;
}

export interface ExecExit {
  /** The process's exit status; 126 when runc could not start it (as Docker reports). */
  readonly code: number;
  /** runc's message when it could not start the process. */
  readonly runtimeError?: string;
}

export interface ExecProcess {
  /** The process's pid on the host once it runs (undefined when it never started). */
  readonly pid: Promise<number | undefined>;
  readonly exit: Promise<ExecExit>;
  /** Sets a terminal exec's window size (ignored without a terminal). */
  resize(rows: number, cols: number): void;
}

/**
 * The terminal relay, run as `python3 -c TTY_EXEC_SCRIPT <console socket> <pid file> <runc argv>`.
 * runc hands over a pty only when it detaches (`exec -d`), so the relay makes itself a child
 * subreaper: the process, orphaned when runc exits, becomes its child and it reaps the status.
 */
export const TTY_EXEC_SCRIPT = String.raw`
import ctypes, fcntl, os, select, socket, struct, subprocess, sys, termios, threading, time
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
path, pidfile, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
runc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
master = None
deadline = time.monotonic() + 60
while master is None:
    if runc.poll() is not None or time.monotonic() > deadline:
        if runc.poll() is None:
            runc.kill()
        runc.wait()
        sys.exit(255)
    r, _, _ = select.select([srv], [], [], 0.05)
    if r:
        conn, _ = srv.accept()
        _, fds, _, _ = socket.recv_fds(conn, 4096, 1)
        conn.close()
        master = fds[0]
srv.close()
if runc.wait() != 0:
    sys.exit(255)
pid = int(open(pidfile).read().strip())
status = []
def reap():
    while True:
        try:
            child, st = os.waitpid(-1, 0)
        except ChildProcessError:
            time.sleep(0.05)
            continue
        if child == pid:
            status.append(os.waitstatus_to_exitcode(st))
            return
def pump_in():
    try:
        while True:
            b = os.read(0, 32768)
            if not b:
                return
            os.write(master, b)
    except OSError:
        pass
def control():
    try:
        for line in os.fdopen(3, 'r'):
            rows, cols = (int(x) for x in line.split())
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    except (OSError, ValueError):
        pass
for target in (reap, pump_in, control):
    threading.Thread(target=target, daemon=True).start()
out = sys.stdout.buffer
while True:
    r, _, _ = select.select([master], [], [], 0.05)
    if r:
        try:
            b = os.read(master, 65536)
        except OSError:
            b = b''
        if not b:
            break
        out.write(b)
        out.flush()
    elif status:
        break
while not status:
    time.sleep(0.02)
code = status[0]
os._exit(code if code >= 0 else 128 - code)
`;

const PID_POLL_MS = 5;
const PID_WAIT_MS = 10_000;

/** Starts `process` in the container; see the module comment. */
export async function startExecProcess(o: ExecProcessOptions): Promise<ExecProcess> {
  const tty = o.process.terminal === true;
  const processFile = join(o.workDir, 'process.json');
  const pidFile = join(o.workDir, 'pid');
  const logFile = join(o.workDir, 'runc.log');
  await writeFile(processFile, JSON.stringify(o.process), { mode: 0o600 });
  const global = [...runtimeGlobalArgs(o.runtimeRoot), `--log=${logFile}`];
  const execArgs = ['exec', '--process', processFile, '--pid-file', pidFile];

  let child: ChildProcess;
  let consoleDir: string | undefined;
  if (tty) {
    // A unix socket path must fit in 108 bytes; the work dir (two ids deep) may not.
    consoleDir = await mkdtemp(join(tmpdir(), 'berth-tty-'));
    const consoleSocket = join(consoleDir, 'console');
    child = spawn(
      o.pythonPath ?? '/usr/bin/python3',
      [
        '-c',
        TTY_EXEC_SCRIPT,
        consoleSocket,
        pidFile,
        o.runtimePath,
        ...global,
        ...execArgs,
        '--detach',
        '--console-socket',
        consoleSocket,
        o.containerId,
      ],
      { stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
  } else {
    child = spawn(o.runtimePath, [...global, ...execArgs, o.containerId], {
      stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  }
  const childStdin = child.stdin;
  if (o.stdin && childStdin) {
    childStdin.on('error', () => undefined); // the process may exit before reading its input
    o.stdin.pipe(childStdin);
  }
  const control = child.stdio[3] as Writable | undefined;
  control?.on('error', () => undefined);

  // stderr is held until the process runs: until then it can only be runc's message.
  let held: Buffer[] | undefined = [];
  const release = (): void => {
    if (held === undefined) return;
    for (const chunk of held) o.stderr.write(chunk);
    held = undefined;
  };
  copyWithBackPressure(child.stdout as Readable, o.stdout);
  (child.stderr as Readable).on('data', (chunk: Buffer) => {
    if (held !== undefined) {
      held.push(chunk);
      return;
    }
    if (!o.stderr.write(chunk)) {
      (child.stderr as Readable).pause();
      o.stderr.once('drain', () => (child.stderr as Readable).resume());
    }
  });

  const closed = new Promise<number>((resolve, reject) => {
    child.once('error', (err) =>
      reject(new BerthError('internal', `exec: cannot run the runtime: ${err.message}`)),
    );
    child.once('close', (code, signal) => {
      if (o.stdin && childStdin) o.stdin.unpipe(childStdin);
      resolve(code ?? 128 + signalNumber(signal));
    });
  });

  const pid = (async (): Promise<number | undefined> => {
    const deadline = Date.now() + PID_WAIT_MS;
    let exited = false;
    void closed.then(
      () => (exited = true),
      () => (exited = true),
    );
    for (;;) {
      const found = await readPid(pidFile);
      if (found !== undefined || exited || Date.now() > deadline) {
        if (found !== undefined) release();
        return found;
      }
      await new Promise((r) => setTimeout(r, PID_POLL_MS));
    }
  })();

  const exit = (async (): Promise<ExecExit> => {
    const code = await closed.finally(async () => {
      if (consoleDir !== undefined) await rm(consoleDir, { recursive: true, force: true });
    });
    const started = (await pid) !== undefined || (await exists(pidFile));
    const failure = started ? undefined : await runcFailure(logFile);
    if (failure === undefined) {
      release();
      return { code };
    }
    held = undefined; // runc's message: reported as runtimeError instead
    return { code: 126, runtimeError: failure };
  })();

  return {
    pid,
    exit,
    resize(rows: number, cols: number): void {
      if (tty && control && !control.destroyed) control.write(`${rows} ${cols}\n`);
    },
  };
}

export function copyWithBackPressure(from: Readable, to: NodeJS.WritableStream): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
}

async function readPid(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The message of runc's last error-level log entry, if it logged one. */
export async function runcFailure(logFile: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(logFile, 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  let message: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if ((entry.level === 'error' || entry.level === 'fatal') && typeof entry.msg === 'string')
        message = entry.msg;
    } catch {
      // not a JSON line: runc printed something else
    }
  }
  return message;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 9) : 0;
}
