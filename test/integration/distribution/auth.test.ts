// Registry auth through the real Docker CLI against berth: `docker login` (POST /auth) to a
// registry with htpasswd basic auth and to one with bearer-token auth; the credentials the CLI
// stores then travel in X-Registry-Auth on push and pull; wrong or missing ones fail cleanly.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiRequest, messageOf } from '../../helpers/api.js';
import { docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';

for (const mode of ['htpasswd', 'token'] as const) {
  describe(`distribution: ${mode} auth`, () => {
    let d: TestDaemon;
    let reg: TestRegistry;
    let config: string;
    const users = { alice: 'correct horse' };
    /** The CLI with the config dir `docker login` writes to (kept across calls). */
    const dk = (args: string[], input?: string): ReturnType<typeof docker> =>
      docker(d.host, args, {
        timeoutMs: 60_000,
        env: { DOCKER_CONFIG: config },
        ...(input !== undefined ? { input } : {}),
      });

    before(async () => {
      config = await mkdtemp(join(tmpdir(), 'berth-dockercfg-auth-'));
      reg = await startRegistry(mode === 'htpasswd' ? { htpasswd: users } : { token: users });
      d = await startDaemon();
      const load = await dk(['load', '-i', busyboxArchive()]);
      assert.equal(load.code, 0, load.stderr);
      assert.equal((await dk(['tag', 'busybox', `${reg.host}/private:1`])).code, 0);
    });
    after(async () => {
      await d?.cleanup();
      await reg?.stop();
      await rm(config, { recursive: true, force: true });
    });

    it('push and pull without credentials fail with Docker’s error', async () => {
      const push = await dk(['push', `${reg.host}/private:1`]);
      assert.equal(push.code, 1, push.stdout);
      assert.match(push.stdout, /The push refers to repository/);
      if (mode === 'htpasswd') assert.match(push.stderr, /no basic auth credentials/);
      else assert.match(push.stderr, /unauthorized: authentication required/);
      const pull = await dk(['pull', `${reg.host}/private:1`]);
      assert.equal(pull.code, 1);
      assert.match(pull.stderr, /^Error response from daemon: /);
    });

    it('login with a wrong password fails; nothing is stored', async () => {
      const r = await dk(['login', '-u', 'alice', '--password-stdin', reg.host], 'wrong\n');
      assert.equal(r.code, 1, r.stdout);
      if (mode === 'htpasswd') {
        assert.match(
          r.stderr,
          new RegExp(
            `Error response from daemon: login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`,
          ),
        );
      } else {
        assert.match(r.stderr, /Error response from daemon: Get "http:\/\/.*\/v2\/": unauthorized/);
      }
      const api = await apiRequest(
        d.socket,
        'POST',
        '/auth',
        JSON.stringify({ username: 'alice', password: 'nope', serveraddress: reg.host }),
      );
      assert.equal(api.status, 401);
      await assert.rejects(stat(join(config, 'config.json')));
      const bad = await apiRequest(d.socket, 'POST', '/auth', '[1]');
      assert.equal(bad.status, 400);
      assert.match(messageOf(bad), /JSON object/);
    });

    it('login succeeds and the CLI stores the credentials; push and pull then work', async () => {
      const r = await dk(['login', '-u', 'alice', '--password-stdin', reg.host], 'correct horse\n');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Login Succeeded/);
      const saved = JSON.parse(await readFile(join(config, 'config.json'), 'utf8')) as {
        auths: Record<string, { auth: string }>;
      };
      assert.equal(
        Buffer.from(saved.auths[reg.host]?.auth ?? '', 'base64').toString(),
        'alice:correct horse',
      );
      const push = await dk(['push', `${reg.host}/private:1`]);
      assert.equal(push.code, 0, push.stderr);
      assert.match(push.stdout, /^1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
      assert.equal((await dk(['rmi', `${reg.host}/private:1`])).code, 0);
      const pull = await dk(['pull', `${reg.host}/private:1`]);
      assert.equal(pull.code, 0, pull.stderr);
      assert.match(pull.stdout, /Status: Downloaded newer image/);
      const logout = await dk(['logout', reg.host]);
      assert.equal(logout.code, 0, logout.stderr);
    });
  });
}
