import type { BerthClient } from '../client/client.js';
import type { FlagSpec, ParsedFlags } from '../lib/flags.js';

export interface CliContext {
  /** The client, created on first use (so `--help` needs no daemon). */
  client(): BerthClient;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** The client's own version facts. */
  readonly clientInfo: {
    version: string;
    gitCommit: string;
    buildTime: string;
    apiVersion: string;
  };
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  readonly maxArgs?: number;
  /** false: flags end at the first argument (`run IMAGE CMD --flag` passes --flag to CMD). */
  readonly interspersed?: boolean;
  run(ctx: CliContext, flags: ParsedFlags): Promise<number>;
}
