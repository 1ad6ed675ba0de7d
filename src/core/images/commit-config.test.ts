import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { commitConfig } from './commit-config.js';
import type { ContainerDefaults } from './image-config.js';

const container: ContainerDefaults = {
  Hostname: 'abc123',
  User: 'app',
  Env: ['PATH=/bin', 'A=1'],
  Cmd: ['sh'],
  Entrypoint: null,
  Image: 'busybox',
  WorkingDir: '/srv',
  Labels: { from: 'container', both: 'container' },
  ExposedPorts: { '80/tcp': {} },
  Volumes: { '/data': {} },
  StopSignal: 'SIGINT',
};

describe('commitConfig', () => {
  it('starts from the container config without a requested one, then applies the changes', () => {
    const out = commitConfig({
      requested: undefined,
      changes: ['CMD ["cat", "/added"]', 'ENV B=2'],
      container,
    });
    assert.deepEqual(out.Cmd, ['cat', '/added']);
    assert.deepEqual(out.Env, ['PATH=/bin', 'A=1', 'B=2']);
    assert.equal(out.Hostname, 'abc123', 'the container config is the base, as Docker keeps it');
    assert.equal(out.Image, 'busybox');
    assert.equal(out.WorkingDir, '/srv');
    assert.equal(container.Cmd?.[0], 'sh', 'the container config is left as it was');
  });

  it('fills what a requested config leaves unset from the container', () => {
    const out = commitConfig({
      requested: { Env: ['A=2'], Labels: { both: 'request' } },
      changes: [],
      container,
    });
    assert.deepEqual(out.Env, ['A=2', 'PATH=/bin']);
    assert.deepEqual(out.Labels, { from: 'container', both: 'request' });
    assert.deepEqual(out.Cmd, ['sh']);
    assert.equal(out.User, 'app');
    assert.equal(out.WorkingDir, '/srv');
    assert.equal(out.StopSignal, 'SIGINT');
    assert.deepEqual(out.ExposedPorts, { '80/tcp': {} });
    assert.deepEqual(out.Volumes, { '/data': {} });
    assert.equal(out.Hostname, undefined, 'only the merged fields come from the container');
  });

  it('keeps the requested command with its own entrypoint, and unions ports and volumes', () => {
    const out = commitConfig({
      requested: { Entrypoint: ['/init'], ExposedPorts: { '53/udp': {} }, Volumes: { '/v': {} } },
      changes: [],
      container,
    });
    assert.deepEqual(out.Entrypoint, ['/init']);
    assert.equal(out.Cmd, undefined, "an entrypoint of its own drops the container's command");
    assert.deepEqual(out.ExposedPorts, { '53/udp': {}, '80/tcp': {} });
    assert.deepEqual(out.Volumes, { '/v': {}, '/data': {} });
  });

  it('refuses an instruction --change does not take, in lowercase as Docker names it', () => {
    assert.throws(
      () => commitConfig({ requested: undefined, changes: ['BOGUS x'], container }),
      (e: unknown) =>
        isBerthError(e, 'invalid-argument') && e.message === 'bogus is not a valid change command',
    );
  });
});
