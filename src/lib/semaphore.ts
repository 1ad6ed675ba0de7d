// A counting semaphore whose limit is read at each acquire (so a reloaded setting applies to
// the next transfer): the daemon-wide bound on concurrent downloads or uploads.

export type Release = () => void;

export class Semaphore {
  #active = 0;
  readonly #waiters: { wake: () => void }[] = [];

  constructor(private readonly limit: () => number) {}

  /** A slot now, or undefined when all are taken. */
  tryAcquire(): Release | undefined {
    if (this.#active >= Math.max(1, this.limit())) return undefined;
    this.#active++;
    return this.#releaser();
  }

  /** Waits for a slot; an abort gives up the place in the queue. */
  async acquire(signal?: AbortSignal): Promise<Release> {
    const now = this.tryAcquire();
    if (now) return now;
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at !== -1) this.#waiters.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
    return this.#releaser();
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      while (this.#waiters.length > 0 && this.#active < Math.max(1, this.limit())) {
        this.#active++;
        this.#waiters.shift()?.wake();
      }
    };
  }
}
