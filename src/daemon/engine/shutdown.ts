import type { Logger } from '../../lib/logger.js';

type Handler = () => Promise<void> | void;

/** Shutdown handlers, run in reverse order of registration; one failing does not stop the rest. */
export class ShutdownHandlers {
  readonly #handlers: { name: string; run: Handler }[] = [];

  add(name: string, run: Handler): void {
    this.#handlers.push({ name, run });
  }

  async runAll(logger: Logger): Promise<void> {
    for (const { name, run } of [...this.#handlers].reverse()) {
      try {
        await run();
        logger.debug('shutdown handler done', { handler: name });
      } catch (err) {
        logger.error('shutdown handler failed', { handler: name, error: (err as Error).message });
      }
    }
    this.#handlers.length = 0;
  }
}
