import { spawn } from 'node:child_process';

/** A command that exited non-zero, was killed, or ran past its time limit. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

export interface RunCommandOptions {
  readonly cwd?: string;
  /** The command is killed (SIGKILL) after this long and the call rejects. */
  readonly timeoutMs: number;
}

/** Output kept from each stream: enough for an error message, never unbounded. */
const OUTPUT_LIMIT = 64 * 1024;

/**
 * Runs a host tool (mount, umount, cp, ...) to completion and resolves with its stdout.
 * Rejects with a CommandError that carries the exit code and stderr.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < OUTPUT_LIMIT) stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(stdout);
        return;
      }
      const line = [command, ...args].join(' ');
      const why = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : signal
          ? `killed by ${signal}`
          : `exit status ${code}`;
      const detail = stderr.trim();
      reject(
        new CommandError(`${line}: ${why}${detail ? `: ${detail}` : ''}`, code, stderr, timedOut),
      );
    });
  });
}
