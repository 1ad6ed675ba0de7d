import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { BerthError, cancelled, isBerthError, unavailable } from '../../core/errors.js';
import type {
  Job,
  JobContext,
  JobDefinition,
  JobKind,
  JobRegistry,
  JobSnapshot,
  JobStatus,
  RunOptions,
} from '../../core/jobs.js';
import type { Logger } from '../../lib/logger.js';

const MAX_LOG_LINES = 50;

interface ActiveJob {
  readonly id: string;
  readonly name: string;
  readonly kind: JobKind;
  readonly startedAt: Date;
  readonly controller: AbortController;
  readonly log: string[];
  status: JobStatus;
  readonly done: Promise<unknown>;
}

export interface DrainResult {
  readonly waitedFor: number;
  readonly abandoned: number;
}

/**
 * Runs every job: keeps the registry of handlers, the jobs in flight, and refuses new jobs once
 * a shutdown has begun.
 */
export class Engine implements JobRegistry {
  readonly #handlers = new Map<string, JobDefinition<unknown, unknown>>();
  readonly #active = new Map<string, ActiveJob>();
  readonly #root = new AbortController();
  /** Job ids: unique per daemon run, cheap to make. */
  readonly #idPrefix = randomBytes(4).toString('hex');
  #sequence = 0;
  #accepting = true;

  constructor(private readonly logger: Logger) {
    // Every job in flight listens to it: dozens at once is a busy daemon, not a leak.
    setMaxListeners(0, this.#root.signal);
  }

  register<I, O>(definition: JobDefinition<I, O>): Job<I, O> {
    if (this.#handlers.has(definition.name)) {
      throw new Error(`job ${definition.name} is registered twice`);
    }
    this.#handlers.set(definition.name, definition as JobDefinition<unknown, unknown>);
    return {
      name: definition.name,
      run: (input, options) => this.#run(definition, input, options),
    };
  }

  /** Names of the registered handlers: the `commands` job. */
  commands(): { name: string; kind: JobKind }[] {
    return [...this.#handlers.values()]
      .map((d) => ({ name: d.name, kind: d.kind ?? 'task' }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  active(): JobSnapshot[] {
    return [...this.#active.values()].map((j) => ({
      id: j.id,
      name: j.name,
      kind: j.kind,
      status: j.status,
      startedAt: j.startedAt.toISOString(),
      log: [...j.log],
    }));
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /** Aborted when the daemon gives up on its jobs (drain timeout or forced exit). */
  get rootSignal(): AbortSignal {
    return this.#root.signal;
  }

  #run<I, O>(definition: JobDefinition<I, O>, input: I, options: RunOptions = {}): Promise<O> {
    if (!this.#accepting) {
      return Promise.reject(unavailable('the daemon is shutting down'));
    }
    // One controller per job, aborted by the requester's signal or the daemon's root signal;
    // the listeners are removed when the job ends (cheaper than AbortSignal.any per request).
    const controller = new AbortController();
    const signal = controller.signal;
    const sources = options.signal ? [this.#root.signal, options.signal] : [this.#root.signal];
    const forward = (event: Event): void => controller.abort((event.target as AbortSignal).reason);
    for (const source of sources) {
      if (source.aborted) controller.abort(source.reason);
      else source.addEventListener('abort', forward);
    }
    options.onCancel?.(() => controller.abort(cancelled()));
    const id = `${this.#idPrefix}${(++this.#sequence).toString(16).padStart(6, '0')}`;
    const log: string[] = [];
    const jobLogger = (): Logger => this.logger.child({ job: definition.name, jobId: id });
    const context: JobContext = {
      id,
      name: definition.name,
      signal,
      log: (message) => {
        if (log.length >= MAX_LOG_LINES) log.shift();
        log.push(`${new Date().toISOString()} ${message}`);
        if (this.logger.level === 'debug') jobLogger().debug(message);
      },
    };
    const promise = (async () => {
      if (signal.aborted) throw cancelled();
      return definition.handler(context, input);
    })();
    const entry: ActiveJob = {
      id,
      name: definition.name,
      kind: definition.kind ?? 'task',
      startedAt: new Date(),
      controller,
      log,
      status: 'running',
      done: promise.catch(() => undefined),
    };
    this.#active.set(id, entry);
    const finish = (): void => {
      this.#active.delete(id);
      for (const source of sources) source.removeEventListener('abort', forward);
    };
    return promise.then(
      (value) => {
        entry.status = 'succeeded';
        finish();
        return value;
      },
      (err: unknown) => {
        entry.status = signal.aborted ? 'cancelled' : 'failed';
        finish();
        if (!isBerthError(err) || err.kind === 'internal') {
          jobLogger().error('job failed', {
            error: err instanceof Error ? err.message : String(err),
          });
        }
        throw err;
      },
    );
  }

  /**
   * Graceful shutdown: refuse new jobs, cancel streams, wait for tasks until the deadline, then
   * abort whatever is left.
   */
  async drain(timeoutMs: number): Promise<DrainResult> {
    this.#accepting = false;
    for (const job of this.#active.values()) {
      if (job.kind === 'stream') job.controller.abort(cancelled('the daemon is shutting down'));
    }
    const pending = [...this.#active.values()];
    const waitedFor = pending.filter((j) => j.kind === 'task').length;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([
      Promise.all(pending.map((j) => j.done)).then(() => 'done' as const),
      deadline,
    ]);
    clearTimeout(timer);
    const abandoned = outcome === 'timeout' ? this.#active.size : 0;
    this.#root.abort(new BerthError('cancelled', 'the daemon is shutting down'));
    return { waitedFor, abandoned };
  }
}
