// The OCI runtime choice: crun refuses hybrid cgroup hosts, so a daemon told to use it there
// says so when a container starts (and in docker info), instead of crun's own riddle.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

const hybrid =
  !existsSync('/sys/fs/cgroup/cgroup.controllers') && existsSync('/sys/fs/cgroup/unified');

describe(
  'crun on a hybrid cgroup host',
  { skip: hybrid ? false : 'this host is not hybrid' },
  () => {
    let d: TestDaemon;
    before(async () => {
      d = await startDaemon({ args: ['--default-runtime', 'crun'] });
      assert.equal((await docker(d.host, ['load', '-i', busyboxArchive()])).code, 0);
    });
    after(async () => {
      await d?.cleanup();
    });

    it('refuses to start containers with a message that says why and what to do', async () => {
      const run = await docker(d.host, ['run', '--rm', 'busybox', 'true']);
      assert.equal(run.code, 125);
      assert.match(run.stderr, /crun refuses hybrid cgroup hosts .* --default-runtime=runc/);
      assert.equal((await docker(d.host, ['ps', '-aq'])).stdout, '', '--rm removed it');
      const create = await docker(d.host, ['create', '--name', 'kept', 'busybox', 'true']);
      assert.equal(create.code, 0, create.stderr);
      const start = await docker(d.host, ['start', 'kept']);
      assert.equal(start.code, 1);
      assert.match(start.stderr, /crun refuses hybrid cgroup hosts/);
      const state = await docker(d.host, [
        'inspect',
        '-f',
        '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}',
        'kept',
      ]);
      assert.match(state.stdout, /^exited 128 crun refuses hybrid cgroup hosts/);
      assert.match(d.log(), /crun refuses hybrid cgroup hosts.*containers will not start/);
      assert.equal((await docker(d.host, ['rm', 'kept'])).code, 0);
    });
  },
);
