import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent, EventType } from '../../../core/events.js';
import { eventToJson, toDockerEvent } from './to-docker.js';

function event(type: EventType, attributes: Record<string, string> = {}): EngineEvent {
  return {
    type,
    action: 'create',
    actor: { id: 'abc123', attributes },
    scope: 'local',
    timeNano: 1795393579619053014n,
  };
}

describe('toDockerEvent', () => {
  it('gives container events the legacy status, id and from', () => {
    const m = toDockerEvent(event('container', { image: 'busybox', name: 'x' }));
    assert.equal(m.status, 'create');
    assert.equal(m.id, 'abc123');
    assert.equal(m.from, 'busybox');
    assert.equal(m.Type, 'container');
    assert.equal(m.Action, 'create');
    assert.deepEqual(m.Actor, { ID: 'abc123', Attributes: { image: 'busybox', name: 'x' } });
    assert.equal(m.scope, 'local');
  });

  it('uses an empty from for a container event without an image', () => {
    assert.equal(toDockerEvent(event('container')).from, '');
  });

  it('gives image events status and id but no from', () => {
    const m = toDockerEvent(event('image', { name: 'busybox:latest' }));
    assert.equal(m.status, 'create');
    assert.equal(m.id, 'abc123');
    assert.ok(!('from' in m));
  });

  it('gives other events none of the legacy fields', () => {
    for (const type of ['network', 'volume', 'daemon'] as const) {
      const m = toDockerEvent(event(type, { name: 'bridge' }));
      assert.ok(!('status' in m), type);
      assert.ok(!('id' in m), type);
      assert.ok(!('from' in m), type);
      assert.equal(m.Type, type);
    }
  });

  it('sets time to the whole seconds of timeNano', () => {
    assert.equal(toDockerEvent(event('network')).time, 1795393579);
    const late: EngineEvent = { ...event('network'), timeNano: 1795393579999999999n };
    assert.equal(toDockerEvent(late).time, 1795393579);
  });

  it('copies the attributes rather than sharing them', () => {
    const e = event('container', { image: 'busybox' });
    const m = toDockerEvent(e);
    m.Actor.Attributes['image'] = 'changed';
    assert.equal(e.actor.attributes['image'], 'busybox');
  });

  it('keeps timeNano exact on the wire', () => {
    const json = eventToJson(event('container'));
    assert.match(json, /"timeNano":1795393579619053014\}$/);
    assert.equal(
      (JSON.parse(json) as { Action: string }).Action,
      toDockerEvent(event('container')).Action,
    );
  });
});
