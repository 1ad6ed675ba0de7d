import { runToCompletion } from '../../lib/run-to-completion.js';

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
export async function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<string> {
  const { code, signal, stdout, stderr, timedOut } = await runToCompletion(command, args, {
    timeoutMs: options.timeoutMs,
    outputLimit: OUTPUT_LIMIT,
    env: { ...process.env, LC_ALL: 'C' },
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  if (code === 0 && !timedOut) return stdout;
  const line = [command, ...args].join(' ');
  const why = timedOut
    ? `timed out after ${options.timeoutMs} ms`
    : signal
      ? `killed by ${signal}`
      : `exit status ${code}`;
  const detail = stderr.trim();
  throw new CommandError(`${line}: ${why}${detail ? `: ${detail}` : ''}`, code, stderr, timedOut);
}
