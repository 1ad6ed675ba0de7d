import {
  matchesEventFilters,
  type EngineEvent,
  type EventPublisher,
  type EventQuery,
  type EventSource,
  type NewEvent,
} from '../../core/events.js';

const HISTORY_SIZE = 1000;
/** A subscriber this far behind is dropped rather than waited for. */
const MAX_BACKLOG = 4096;

interface Subscriber {
  push(event: EngineEvent): void;
}

function nowNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}

/** Publishes events to live subscribers and keeps the last HISTORY_SIZE for `since` queries. */
export class EventBus implements EventPublisher, EventSource {
  readonly #history: EngineEvent[] = [];
  readonly #subscribers = new Set<Subscriber>();
  #last = 0n;

  publish(event: NewEvent): EngineEvent {
    let timeNano = nowNano();
    if (timeNano <= this.#last) timeNano = this.#last + 1n;
    this.#last = timeNano;
    const full: EngineEvent = { ...event, scope: 'local', timeNano };
    this.#history.push(full);
    if (this.#history.length > HISTORY_SIZE) this.#history.shift();
    for (const s of this.#subscribers) s.push(full);
    return full;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  stream(query: EventQuery): AsyncIterable<EngineEvent> {
    const matches = (e: EngineEvent): boolean =>
      (query.since === undefined || e.timeNano >= query.since) &&
      (query.until === undefined || e.timeNano <= query.until) &&
      matchesEventFilters(e, query.filters);
    return { [Symbol.asyncIterator]: () => this.#iterate(query, matches) };
  }

  async *#iterate(
    query: EventQuery,
    matches: (e: EngineEvent) => boolean,
  ): AsyncGenerator<EngineEvent> {
    // The history is copied and the subscription made in the same synchronous step, so no event
    // falls between the two; both happen when iteration starts, so an unread stream holds nothing.
    const wantsHistory = query.since !== undefined || query.until !== undefined;
    const queue: EngineEvent[] = wantsHistory ? this.#history.filter(matches) : [];
    let wake: (() => void) | undefined;
    let overflowed = false;
    const subscriber: Subscriber = {
      push(event) {
        if (!matches(event)) return;
        if (queue.length >= MAX_BACKLOG) {
          overflowed = true;
        } else {
          queue.push(event);
        }
        wake?.();
      },
    };
    const onAbort = (): void => wake?.();
    let untilTimer: NodeJS.Timeout | undefined;
    let pastUntil = query.until !== undefined && query.until <= nowNano();
    if (query.until !== undefined && !pastUntil) {
      const ms = Number((query.until - nowNano()) / 1_000_000n) + 1;
      untilTimer = setTimeout(
        () => {
          pastUntil = true;
          wake?.();
        },
        Math.min(ms, 2 ** 31 - 1),
      );
    }
    if (!pastUntil) this.#subscribers.add(subscriber);
    query.signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as EngineEvent;
        if (overflowed || pastUntil || query.signal.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.#subscribers.delete(subscriber);
      query.signal.removeEventListener('abort', onAbort);
      clearTimeout(untilTimer);
    }
  }
}
