import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withHostConfigDefaults } from './host-config-defaults.js';

describe('HostConfig defaults', () => {
  it('fills in what the Docker CLI leaves empty, as dockerd stores it', () => {
    const filled = withHostConfigDefaults({
      NetworkMode: 'default',
      ShmSize: 0,
      IpcMode: '',
      CgroupnsMode: '',
      PidsLimit: 0,
      MemorySwappiness: -1,
      MaskedPaths: null,
      ReadonlyPaths: null,
    });
    assert.equal(filled['ShmSize'], 67108864);
    assert.equal(filled['IpcMode'], 'private');
    assert.equal(filled['CgroupnsMode'], 'host');
    assert.equal(filled['PidsLimit'], null);
    assert.equal(filled['MemorySwappiness'], null);
    assert.equal(filled['OomKillDisable'], false);
    assert.ok((filled['MaskedPaths'] as string[]).includes('/proc/kcore'));
    assert.ok((filled['ReadonlyPaths'] as string[]).includes('/proc/sys'));
    assert.equal(filled['NetworkMode'], 'default');
  });

  it('keeps what was sent, and leaves the path lists out for a privileged container', () => {
    const kept = withHostConfigDefaults({
      ShmSize: 1024,
      IpcMode: 'host',
      PidsLimit: 20,
      MemorySwappiness: 10,
      Privileged: true,
    });
    assert.deepEqual(
      [kept['ShmSize'], kept['IpcMode'], kept['PidsLimit'], kept['MemorySwappiness']],
      [1024, 'host', 20, 10],
    );
    assert.equal(kept['MaskedPaths'], undefined);
    assert.equal(kept['ReadonlyPaths'], undefined);
    assert.deepEqual(kept['SecurityOpt'], ['label=disable']);
    assert.deepEqual(
      withHostConfigDefaults({ PidMode: 'host', SecurityOpt: ['no-new-privileges'] })[
        'SecurityOpt'
      ],
      ['no-new-privileges', 'label=disable'],
    );
    assert.deepEqual(
      withHostConfigDefaults({ IpcMode: 'host', SecurityOpt: ['label=type:x'] })['SecurityOpt'],
      ['label=type:x'],
    );
    assert.equal(withHostConfigDefaults({})['SecurityOpt'], undefined);
  });
});
