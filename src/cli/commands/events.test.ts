import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventMessage } from '../../types/docker/system.js';
import { parseEventLine } from '../../client/client.js';
import { formatEvent, parseFilterFlags } from './events.js';

const ID = '4a7f2d0c9e1b';

function message(overrides: Partial<EventMessage> = {}): EventMessage {
  return {
    Type: 'container',
    Action: 'start',
    Actor: { ID, Attributes: { name: 'x', image: 'busybox' } },
    scope: 'local',
    time: 1795393579,
    timeNano: 1795393579123456000,
    ...overrides,
  };
}

describe('formatEvent', () => {
  it('prints time, type, action, id and sorted attributes', () => {
    assert.equal(
      formatEvent(message()),
      `2026-11-23T00:26:19.123456Z container start ${ID} (image=busybox, name=x)`,
    );
  });

  it('trims trailing zeros of the nanosecond fraction', () => {
    assert.match(
      formatEvent(message({ timeNano: 1795393579500000000 })),
      /^2026-11-23T00:26:19\.5Z /,
    );
  });

  it('drops the fraction when it is zero', () => {
    assert.match(formatEvent(message({ timeNano: 1795393579000000000 })), /^2026-11-23T00:26:19Z /);
  });

  it('falls back to time when timeNano is missing', () => {
    assert.match(formatEvent(message({ timeNano: 0 })), /^2026-11-23T00:26:19Z /);
  });

  it('leaves out the parentheses without attributes', () => {
    assert.equal(
      formatEvent(
        message({ Type: 'network', Action: 'create', Actor: { ID: 'n1', Attributes: {} } }),
      ),
      '2026-11-23T00:26:19.123456Z network create n1',
    );
  });

  it('sorts attribute keys by byte order', () => {
    const out = formatEvent(message({ Actor: { ID, Attributes: { b: '2', B: '1', a: '3' } } }));
    assert.ok(out.endsWith('(B=1, a=3, b=2)'), out);
  });

  it('prints the full nanosecond time of an event decoded from the API', () => {
    // What the daemon sends for 1795393579619053014ns, decoded as the client does.
    const wire =
      '{"Type":"container","Action":"start","Actor":{"ID":"c","Attributes":{}},"scope":"local","time":1795393579,"timeNano":1795393579619053014}';
    assert.equal(
      formatEvent(parseEventLine(wire)),
      '2026-11-23T00:26:19.619053014Z container start c',
    );
  });
});

describe('parseFilterFlags', () => {
  it('groups values by lower-cased key', () => {
    assert.deepEqual(
      parseFilterFlags(['type=container', 'Event=start', 'event=die', 'label=a=b']),
      {
        type: ['container'],
        event: ['start', 'die'],
        label: ['a=b'],
      },
    );
  });

  it('returns an empty object for no filters', () => {
    assert.deepEqual(parseFilterFlags([]), {});
  });

  it('refuses a filter without name=value', () => {
    assert.throws(
      () => parseFilterFlags(['container']),
      /bad format of filter \(expected name=value\)/,
    );
    assert.throws(() => parseFilterFlags(['=x']), /bad format of filter/);
  });
});
