// The seeds' engine, typed: work is done by named jobs. A job has an id, a status, a log and an
// AbortSignal; the engine that runs them counts them for a graceful shutdown.

export type JobKind =
  /** Finite work; a graceful shutdown waits for it. */
  | 'task'
  /** Long-lived streams (events, follow); a graceful shutdown cancels them. */
  | 'stream';

export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobContext {
  readonly id: string;
  readonly name: string;
  readonly signal: AbortSignal;
  log(message: string): void;
}

export type JobHandler<I, O> = (job: JobContext, input: I) => Promise<O>;

export interface JobDefinition<I, O> {
  readonly name: string;
  readonly kind?: JobKind;
  readonly handler: JobHandler<I, O>;
}

export interface RunOptions {
  /** Aborted when the requester goes away (the client disconnected). */
  readonly signal?: AbortSignal;
  /**
   * Cheaper than `signal` on hot paths: receives the job's cancel function, for the requester
   * to call when it goes away (no AbortController of its own per request).
   */
  readonly onCancel?: (cancel: () => void) => void;
}

export interface Job<I, O> {
  readonly name: string;
  run(input: I, options?: RunOptions): Promise<O>;
}

/** The role the API edge and services need: define a named job, get a typed handle to run it. */
export interface JobRegistry {
  register<I, O>(definition: JobDefinition<I, O>): Job<I, O>;
}

export interface JobSnapshot {
  readonly id: string;
  readonly name: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly startedAt: string;
  readonly log: readonly string[];
}
