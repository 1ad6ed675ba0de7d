import type { BerthClient } from '../client/client.js';
import type { FlagSpec, ParsedFlags } from '../lib/flags.js';
import type { InputStream, OutputStream } from './session.js';
import type { Arity } from './usage.js';

export interface CliContext {
  /** The client, created on first use (so `--help` needs no daemon). */
  client(): BerthClient;
  readonly stdin: InputStream;
  readonly stdout: OutputStream;
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
  /** How many arguments it takes; a count outside is Docker's usage error, exit 1. */
  readonly arity?: Arity;
  /** false: flags end at the first argument (`run IMAGE CMD --flag` passes --flag to CMD). */
  readonly interspersed?: boolean;
  run(ctx: CliContext, flags: ParsedFlags): Promise<number>;
}
