// Runs a short-lived host program (runc state/start/kill/...) to completion with a time limit
// and an AbortSignal, keeping a bounded amount of its output.

import { spawn } from 'node:child_process';
import { BerthError, cancelled } from '../errors.js';

const OUTPUT_LIMIT = 256 * 1024;

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunProcessOptions {
  /** Killed with SIGKILL after this long; the call then rejects (internal). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Resolves with the exit status and output of `command args` whatever the status (the caller
 * decides what a failure means); rejects when it cannot be started, times out or is aborted.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < OUTPUT_LIMIT) stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (err) => {
      done();
      reject(new BerthError('internal', `${command}: cannot run: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, killedBy) => {
      done();
      if (aborted) reject(cancelled());
      else if (timedOut) {
        reject(
          new BerthError(
            'internal',
            `${command} ${args.join(' ')}: timed out after ${options.timeoutMs} ms`,
          ),
        );
      } else resolve({ code, signal: killedBy, stdout, stderr });
    });
  });
}
