import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from './errors.js';
import {
  EVENT_FILTER_KEYS,
  checkEventFilters,
  matchesEventFilters,
  type EngineEvent,
  type EventType,
} from './events.js';
import type { FilterArgs } from './filters.js';

const CID = 'f3c1a2b4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2';

function event(
  type: EventType,
  action: string,
  id: string,
  attributes: Record<string, string> = {},
): EngineEvent {
  return { type, action, actor: { id, attributes }, scope: 'local', timeNano: 1n };
}

const start = event('container', 'start', CID, {
  image: 'busybox:latest',
  name: 'web',
  'com.example.tier': 'front',
});
const pull = event('image', 'pull', 'sha256:abc', { name: 'busybox:latest' });
const netConnect = event('network', 'connect', 'n1d2', { name: 'bridge', container: CID });

const f = (entries: Record<string, string[]>): FilterArgs => new Map(Object.entries(entries));

describe('matchesEventFilters', () => {
  it('matches everything with no filters', () => {
    assert.equal(matchesEventFilters(start, new Map()), true);
    assert.equal(matchesEventFilters(netConnect, new Map()), true);
  });

  it('filters by type', () => {
    assert.equal(matchesEventFilters(start, f({ type: ['container'] })), true);
    assert.equal(matchesEventFilters(pull, f({ type: ['container'] })), false);
  });

  it('filters by event, also matching the action before ":"', () => {
    const exec = event('container', 'exec_create: sh -c true', CID);
    assert.equal(matchesEventFilters(start, f({ event: ['start'] })), true);
    assert.equal(matchesEventFilters(start, f({ event: ['stop'] })), false);
    assert.equal(matchesEventFilters(exec, f({ event: ['exec_create'] })), true);
    assert.equal(matchesEventFilters(exec, f({ event: ['exec_create: sh -c true'] })), true);
    assert.equal(matchesEventFilters(exec, f({ event: ['exec_start'] })), false);
  });

  it('filters by scope', () => {
    assert.equal(matchesEventFilters(start, f({ scope: ['local'] })), true);
    assert.equal(matchesEventFilters(start, f({ scope: ['swarm'] })), false);
  });

  it('filters containers by id, name and id prefix', () => {
    assert.equal(matchesEventFilters(start, f({ container: [CID] })), true);
    assert.equal(matchesEventFilters(start, f({ container: ['web'] })), true);
    assert.equal(matchesEventFilters(start, f({ container: [CID.slice(0, 12)] })), true);
    assert.equal(matchesEventFilters(start, f({ container: ['db'] })), false);
    assert.equal(matchesEventFilters(start, f({ container: ['0000'] })), false);
  });

  it('a container filter excludes events of other types', () => {
    assert.equal(matchesEventFilters(netConnect, f({ container: [CID] })), false);
    assert.equal(matchesEventFilters(pull, f({ container: ['web'] })), false);
  });

  it('filters networks by name', () => {
    assert.equal(matchesEventFilters(netConnect, f({ network: ['bridge'] })), true);
    assert.equal(matchesEventFilters(netConnect, f({ network: ['host'] })), false);
  });

  it('filters container events by image with and without tag', () => {
    assert.equal(matchesEventFilters(start, f({ image: ['busybox:latest'] })), true);
    assert.equal(matchesEventFilters(start, f({ image: ['busybox'] })), true);
    assert.equal(matchesEventFilters(start, f({ image: ['alpine'] })), false);
  });

  it('filters image events by name and by id', () => {
    assert.equal(matchesEventFilters(pull, f({ image: ['busybox'] })), true);
    assert.equal(matchesEventFilters(pull, f({ image: ['sha256:abc'] })), true);
    assert.equal(matchesEventFilters(pull, f({ image: ['alpine:latest'] })), false);
  });

  it('does not take a registry port for a tag', () => {
    const e = event('container', 'start', CID, { image: 'localhost:5000/app:v1' });
    assert.equal(matchesEventFilters(e, f({ image: ['localhost:5000/app'] })), true);
    assert.equal(matchesEventFilters(e, f({ image: ['localhost:5000/app:v1'] })), true);
    assert.equal(matchesEventFilters(e, f({ image: ['localhost'] })), false);
    const untagged = event('container', 'start', CID, { image: 'localhost:5000/app' });
    assert.equal(matchesEventFilters(untagged, f({ image: ['localhost:5000/app'] })), true);
    assert.equal(matchesEventFilters(untagged, f({ image: ['localhost:5000'] })), false);
  });

  it('an image filter excludes events without an image', () => {
    assert.equal(matchesEventFilters(netConnect, f({ image: ['busybox'] })), false);
  });

  it('an image filter with a tag does not match another tag of the same image', () => {
    assert.equal(matchesEventFilters(start, f({ image: ['busybox:1.36'] })), false);
  });

  it('filters by label key and key=value', () => {
    assert.equal(matchesEventFilters(start, f({ label: ['com.example.tier'] })), true);
    assert.equal(matchesEventFilters(start, f({ label: ['com.example.tier=front'] })), true);
    assert.equal(matchesEventFilters(start, f({ label: ['com.example.tier=back'] })), false);
    assert.equal(matchesEventFilters(start, f({ label: ['missing'] })), false);
  });

  it('requires every label value (as Docker does)', () => {
    assert.equal(matchesEventFilters(start, f({ label: ['com.example.tier', 'name=web'] })), true);
    assert.equal(matchesEventFilters(start, f({ label: ['com.example.tier', 'missing'] })), false);
  });

  it('ORs the values of one key', () => {
    assert.equal(matchesEventFilters(start, f({ type: ['image', 'container'] })), true);
    assert.equal(matchesEventFilters(start, f({ event: ['stop', 'start'] })), true);
    assert.equal(matchesEventFilters(start, f({ container: ['db', 'web'] })), true);
    assert.equal(matchesEventFilters(start, f({ event: ['stop', 'die'] })), false);
  });

  it('ANDs across keys', () => {
    assert.equal(matchesEventFilters(start, f({ type: ['container'], event: ['start'] })), true);
    assert.equal(matchesEventFilters(start, f({ type: ['container'], event: ['stop'] })), false);
    assert.equal(matchesEventFilters(start, f({ type: ['image'], event: ['start'] })), false);
    assert.equal(
      matchesEventFilters(start, f({ container: ['web'], image: ['busybox'], event: ['start'] })),
      true,
    );
  });

  it('treats an empty value list as no filter', () => {
    assert.equal(matchesEventFilters(start, f({ type: [], container: [] })), true);
  });
});

describe('checkEventFilters', () => {
  it('accepts every documented key', () => {
    const all = new Map(EVENT_FILTER_KEYS.map((k) => [k, ['x']] as const));
    assert.doesNotThrow(() => checkEventFilters(all));
  });

  it('rejects an unknown key with an invalid-argument error', () => {
    assert.throws(
      () => checkEventFilters(f({ type: ['container'], x: ['1'] })),
      (err: unknown) =>
        err instanceof BerthError &&
        err.kind === 'invalid-argument' &&
        err.message === "Invalid filter 'x'",
    );
  });
});
