import { checkFilterKeys, matchesLabels, type FilterArgs } from './filters.js';

export type EventType =
  'container' | 'image' | 'network' | 'volume' | 'daemon' | 'plugin' | 'builder';

export interface EventActor {
  readonly id: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface EngineEvent {
  readonly type: EventType;
  readonly action: string;
  readonly actor: EventActor;
  readonly scope: 'local';
  /** Nanoseconds since the Unix epoch. */
  readonly timeNano: bigint;
}

export type NewEvent = Pick<EngineEvent, 'type' | 'action' | 'actor'>;

/** The role services need to report a change. */
export interface EventPublisher {
  publish(event: NewEvent): EngineEvent;
}

export interface EventQuery {
  /** Inclusive lower bound, nanoseconds. */
  readonly since?: bigint;
  /** Inclusive upper bound, nanoseconds; the stream ends when it passes. */
  readonly until?: bigint;
  readonly filters: FilterArgs;
  readonly signal: AbortSignal;
}

/** The role the events endpoint needs: past events, then live ones, as one iterable. */
export interface EventSource {
  stream(query: EventQuery): AsyncIterable<EngineEvent>;
}

export const EVENT_FILTER_KEYS = [
  'container',
  'daemon',
  'event',
  'image',
  'label',
  'network',
  'plugin',
  'scope',
  'type',
  'volume',
  'builder',
] as const;

export function checkEventFilters(filters: FilterArgs): void {
  checkFilterKeys(filters, EVENT_FILTER_KEYS);
}

function anyOf(values: readonly string[] | undefined, test: (v: string) => boolean): boolean {
  return !values || values.length === 0 || values.some(test);
}

/** Strips a `:tag` (not a registry port) from an image reference, for image filters. */
function withoutTag(ref: string): string {
  const at = ref.indexOf('@');
  if (at !== -1) return ref.slice(0, at);
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
}

function matchesObject(
  values: readonly string[] | undefined,
  event: EngineEvent,
  type: EventType,
): boolean {
  if (!values || values.length === 0) return true;
  if (event.type !== type) return false;
  const name = event.actor.attributes['name'];
  return values.some(
    (v) => v === event.actor.id || v === name || (v.length >= 1 && event.actor.id.startsWith(v)),
  );
}

/** Docker's event filter semantics: OR among the values of one key, AND across keys. */
export function matchesEventFilters(event: EngineEvent, filters: FilterArgs): boolean {
  const attrs = event.actor.attributes;
  const baseAction = event.action.split(':', 1)[0] ?? event.action;
  return (
    anyOf(filters.get('type'), (v) => v === event.type) &&
    anyOf(filters.get('event'), (v) => v === event.action || v === baseAction) &&
    anyOf(filters.get('scope'), (v) => v === event.scope) &&
    matchesLabels(filters.get('label'), attrs) &&
    matchesObject(filters.get('container'), event, 'container') &&
    matchesObject(filters.get('network'), event, 'network') &&
    matchesObject(filters.get('volume'), event, 'volume') &&
    matchesObject(filters.get('plugin'), event, 'plugin') &&
    matchesObject(filters.get('daemon'), event, 'daemon') &&
    anyOf(filters.get('image'), (v) => {
      const name = event.type === 'image' ? attrs['name'] : attrs['image'];
      const id = attrs['image'] ?? (event.type === 'image' ? event.actor.id : undefined);
      return v === id || (name !== undefined && (v === name || v === withoutTag(name)));
    })
  );
}
