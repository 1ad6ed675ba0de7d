// Runs a short-lived host program (runc state/start/kill/...) to completion with a time limit
// and an AbortSignal, keeping a bounded amount of its output.

import { runToCompletion, type Completed } from '../../lib/run-to-completion.js';
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
export async function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  if (options.signal?.aborted) throw cancelled();
  let result: Completed;
  try {
    result = await runToCompletion(command, args, {
      timeoutMs: options.timeoutMs,
      outputLimit: OUTPUT_LIMIT,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
  } catch (err) {
    throw new BerthError('internal', `${command}: cannot run: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (result.aborted) throw cancelled();
  if (result.timedOut)
    throw new BerthError(
      'internal',
      `${command} ${args.join(' ')}: timed out after ${options.timeoutMs} ms`,
    );
  return { code: result.code, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}
