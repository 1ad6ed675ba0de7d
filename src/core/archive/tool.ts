// Spawning the host tools the archive code needs (zstd, busybox sh, setfattr, getfattr): every
// run is killed when its signal aborts or its time runs out, and a failure names the tool and
// the tail of its stderr.

import { spawn } from 'node:child_process';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../errors.js';

const STDERR_TAIL = 2048;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export interface ToolOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly signal?: AbortSignal;
  /** Killed after this long (default 10 minutes). */
  readonly timeoutMs?: number;
}

export interface RunningTool {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Resolves when the tool exits with status 0; rejects otherwise. */
  readonly done: Promise<void>;
}

export function startTool(options: ToolOptions): RunningTool {
  const child = spawn(options.command, options.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    signal: options.signal,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(options.signal?.aborted ? options.signal.reason : err));
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const status = code === null ? `was killed by ${signal}` : `exited with status ${code}`;
      reject(new BerthError('internal', `${options.command} ${status}: ${stderr.trim()}`));
    });
  });
  return { stdin: child.stdin, stdout: child.stdout, done };
}

/** Runs a tool to completion with `input` as its stdin (written with back-pressure). */
export async function runTool(
  options: ToolOptions & { readonly input: Iterable<string> },
): Promise<void> {
  const tool = startTool(options);
  tool.stdout.resume();
  const [fed, exited] = await Promise.allSettled([
    pipeline(Readable.from(options.input), tool.stdin),
    tool.done,
  ]);
  // The exit status explains a broken stdin pipe better than EPIPE does.
  if (exited.status === 'rejected') throw exited.reason;
  if (fed.status === 'rejected') throw fed.reason;
}
