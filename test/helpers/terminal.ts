// Runs a command under a pseudo-terminal (util-linux `script`), typing into it as a user would:
// each step waits until the output so far matches, then sends its keys.
import { spawn } from 'node:child_process';
import type { RunResult } from './daemon.js';

export interface TerminalStep {
  /** Wait until the terminal's output (from the start) matches this. */
  readonly after: string | RegExp;
  readonly send: string;
}

export interface TerminalOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly rows?: number;
  readonly cols?: number;
  readonly timeoutMs?: number;
}

/**
 * Runs `command` (a shell command line) in a terminal of rows × cols, plays the steps, and
 * resolves with everything the terminal showed once the command has exited. `code` is the
 * command's exit status (script -e). Killed after timeoutMs; a step that never matches then
 * shows up as a null code and the output so far.
 */
export function inTerminal(
  command: string,
  steps: readonly TerminalStep[],
  options: TerminalOptions = {},
): Promise<RunResult> {
  const rows = options.rows ?? 30;
  const cols = options.cols ?? 100;
  return new Promise((resolve, reject) => {
    const child = spawn(
      'script',
      ['-qec', `stty rows ${rows} cols ${cols}; ${command}`, '/dev/null'],
      {
        env: options.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let output = '';
    let stderr = '';
    let next = 0;
    const advance = (): void => {
      while (next < steps.length) {
        const step = steps[next] as TerminalStep;
        const matched =
          typeof step.after === 'string' ? output.includes(step.after) : step.after.test(output);
        if (!matched) return;
        child.stdin.write(step.send);
        next += 1;
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      advance();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: output, stderr });
    });
    advance();
  });
}
