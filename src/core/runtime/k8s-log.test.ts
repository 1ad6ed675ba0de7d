import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { K8sLogDecoder, parseK8sLogLine, parseK8sLogTime } from './k8s-log.js';

describe('parseK8sLogLine', () => {
  it('reads full and partial records of both streams', () => {
    assert.deepEqual(parseK8sLogLine('2026-11-23T02:46:40.912656554+00:00 stdout F hello\n'), {
      time: '2026-11-23T02:46:40.912656554+00:00',
      stream: 'stdout',
      partial: false,
      text: 'hello',
    });
    assert.deepEqual(parseK8sLogLine('2026-01-02T03:04:05.1Z stderr P a b  c'), {
      time: '2026-01-02T03:04:05.1Z',
      stream: 'stderr',
      partial: true,
      text: 'a b  c',
    });
  });

  it('keeps spaces, carriage returns and an empty text', () => {
    assert.equal(parseK8sLogLine('2026-01-02T03:04:05Z stdout F  lead')?.text, ' lead');
    assert.equal(parseK8sLogLine('2026-01-02T03:04:05Z stdout F tty\r')?.text, 'tty\r');
    assert.equal(parseK8sLogLine('2026-01-02T03:04:05Z stdout F ')?.text, '');
    assert.equal(parseK8sLogLine('2026-01-02T03:04:05Z stdout F')?.text, '');
  });

  it('refuses lines that are not records', () => {
    for (const line of [
      '',
      'garbage',
      '2026-01-02T03:04:05Z stdin F x',
      '2026-01-02T03:04:05Z stdout X x',
      '2026-01-02T03:04:05Z stdout Fx',
      'yesterday stdout F x',
      '2026-01-02T03:04:05Z stdout',
    ]) {
      assert.equal(parseK8sLogLine(line), undefined, line);
    }
  });
});

describe('parseK8sLogTime', () => {
  it('reads nanosecond times with offsets to milliseconds', () => {
    assert.equal(
      parseK8sLogTime('2026-11-23T02:46:40.912656554+00:00'),
      Date.UTC(2026, 10, 23, 2, 46, 40, 912),
    );
    assert.equal(parseK8sLogTime('2026-11-23T04:46:40+02:00'), Date.UTC(2026, 10, 23, 2, 46, 40));
    assert.ok(Number.isNaN(parseK8sLogTime('2026-11-23 02:46:40')));
  });
});

describe('K8sLogDecoder', () => {
  it('splits chunks at newlines and keeps an unfinished line', () => {
    const decoder = new K8sLogDecoder();
    assert.deepEqual(decoder.push('2026-01-02T03:04:05Z stdout P par'), []);
    const records = decoder.push(
      't\n2026-01-02T03:04:05Z stdout F one\nnoise\n2026-01-02T03:04:06Z stderr F tw',
    );
    assert.deepEqual(
      records.map((r) => [r.stream, r.partial, r.text]),
      [
        ['stdout', true, 'part'],
        ['stdout', false, 'one'],
      ],
    );
    assert.deepEqual(
      decoder.end().map((r) => r.text),
      ['tw'],
    );
    assert.deepEqual(decoder.end(), []);
  });
});
