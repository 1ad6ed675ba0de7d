// The host tools the network service drives: ip, unshare, umount, iptables-restore/-save.

import { runToCompletion } from '../../lib/run-to-completion.js';

/** A tool that failed: its command line and what it wrote to stderr. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

const OUTPUT_LIMIT = 256 * 1024;

/** Runs `command` with `input` on its stdin; resolves with stdout, rejects on failure. */
export async function runTool(
  command: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const { code, signal, stdout, stderr } = await runToCompletion(command, args, {
    timeoutMs: options.timeoutMs ?? 20_000,
    outputLimit: OUTPUT_LIMIT,
    env: { ...process.env, LC_ALL: 'C' },
    input: options.input ?? '',
  });
  if (code === 0) return stdout;
  throw new ToolError(`${command} ${args.join(' ')}: ${stderr.trim() || `exit ${code ?? signal}`}`);
}
