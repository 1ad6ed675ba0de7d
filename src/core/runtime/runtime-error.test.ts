import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runtimeError, runtimeErrorKind, runtimeErrorMessage } from './runtime-error.js';

describe('runtimeErrorMessage', () => {
  it('reads runc JSON log lines', () => {
    assert.equal(
      runtimeErrorMessage(
        '{"level":"warning","msg":"x","time":"t"}\n{"level":"error","msg":"container does not exist","time":"t"}\n',
      ),
      'container does not exist',
    );
  });

  it('reads logrus text and plain text', () => {
    assert.equal(
      runtimeErrorMessage('time="2026-01-01T00:00:00Z" level=error msg="a \\"quoted\\" thing"\n'),
      'a "quoted" thing',
    );
    assert.equal(runtimeErrorMessage('plain failure\n\n'), 'plain failure');
    assert.equal(runtimeErrorMessage(''), '');
  });
});

describe('runtimeErrorKind', () => {
  it('maps runc phrases to kinds', () => {
    assert.equal(runtimeErrorKind('container does not exist'), 'not-found');
    assert.equal(runtimeErrorKind('container not running'), 'conflict');
    assert.equal(runtimeErrorKind('container not paused'), 'conflict');
    assert.equal(runtimeErrorKind('container already paused'), 'conflict');
    assert.equal(runtimeErrorKind('container with id exists: x'), 'conflict');
    assert.equal(
      runtimeErrorKind('cannot delete container x that is not stopped: running'),
      'conflict',
    );
    assert.equal(
      runtimeErrorKind(
        'runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH',
      ),
      'invalid-argument',
    );
    assert.equal(runtimeErrorKind('cgroup: permission denied'), 'invalid-argument');
    assert.equal(runtimeErrorKind('something broke'), 'internal');
  });

  it('builds a BerthError with runc words', () => {
    const err = runtimeError('kill', '{"level":"error","msg":"container not running"}');
    assert.equal(err.kind, 'conflict');
    assert.equal(err.message, 'container not running');
    assert.equal(runtimeError('start', '').message, 'start failed');
  });
});
