import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { applyChanges } from './changes.js';

describe('applyChanges (--change)', () => {
  it('applies CMD and ENTRYPOINT in exec and shell form', () => {
    assert.deepEqual(applyChanges({}, ['CMD ["a", "b"]']).Cmd, ['a', 'b']);
    assert.deepEqual(applyChanges({}, ['CMD echo hi']).Cmd, ['/bin/sh', '-c', 'echo hi']);
    assert.deepEqual(applyChanges({}, ['entrypoint ["/init"]']).Entrypoint, ['/init']);
  });

  it('merges ENV and LABEL pairs, in both forms', () => {
    const out = applyChanges({ Env: ['A=0', 'KEEP=1'] }, [
      'ENV A=1 B="two words"',
      'ENV C 3',
      'LABEL x=y z=w',
    ]);
    assert.deepEqual(out.Env, ['A=1', 'KEEP=1', 'B=two words', 'C=3']);
    assert.deepEqual(out.Labels, { x: 'y', z: 'w' });
  });

  it('sets EXPOSE, VOLUME, WORKDIR, USER, STOPSIGNAL', () => {
    const out = applyChanges({}, [
      'EXPOSE 80 53/udp',
      'VOLUME /data /logs',
      'WORKDIR /srv',
      'USER nobody',
      'STOPSIGNAL SIGINT',
    ]);
    assert.deepEqual(out.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(out.Volumes, { '/data': {}, '/logs': {} });
    assert.equal(out.WorkingDir, '/srv');
    assert.equal(out.User, 'nobody');
    assert.equal(out.StopSignal, 'SIGINT');
  });

  it('leaves its input alone and refuses unknown instructions and bad ports', () => {
    const input = { Env: ['A=1'] };
    applyChanges(input, ['ENV A=2']);
    assert.deepEqual(input.Env, ['A=1']);
    assert.throws(
      () => applyChanges({}, ['RUN echo']),
      (e: unknown) =>
        isBerthError(e, 'invalid-argument') && /run is not a valid change command/.test(e.message),
    );
    assert.throws(
      () => applyChanges({}, ['EXPOSE eighty']),
      (e: unknown) => isBerthError(e, 'invalid-argument'),
    );
  });
});
