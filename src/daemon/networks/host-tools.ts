// The host tools the network service drives: ip, unshare, umount, iptables-restore/-save.

import { spawn } from 'node:child_process';

/** A tool that failed: its command line and what it wrote to stderr. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

const OUTPUT_LIMIT = 256 * 1024;

/** Runs `command` with `input` on its stdin; resolves with stdout, rejects on failure. */
export function runTool(
  command: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < OUTPUT_LIMIT) stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else
        reject(
          new ToolError(
            `${command} ${args.join(' ')}: ${stderr.trim() || `exit ${code ?? signal}`}`,
          ),
        );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
