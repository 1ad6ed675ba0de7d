// The berth client's registry commands against a berth daemon and an htpasswd registry:
// login (wrong and right password; credentials kept mode 0600), push, pull (by tag, digest,
// all tags), search, logout.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berth, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';

describe('berth pull/push/login/logout/search', () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let config: string;
  let env: NodeJS.ProcessEnv;
  const b = (args: string[], input?: string): ReturnType<typeof berth> =>
    berth(args, { env, timeoutMs: 60_000, ...(input !== undefined ? { input } : {}) });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await b(args, input);
    assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    config = await mkdtemp(join(tmpdir(), 'berth-clientcfg-'));
    reg = await startRegistry({ htpasswd: { bob: 's3cret' } });
    d = await startDaemon();
    env = {
      ...process.env,
      BERTH_HOST: d.host,
      BERTH_CONFIG: config,
      DOCKER_HOST: 'unix:///nonexistent.sock',
    };
    await ok(['load', '-i', busyboxArchive()]);
  });
  after(async () => {
    await d?.cleanup();
    await reg?.stop();
    await rm(config, { recursive: true, force: true });
  });

  it('login refuses a wrong password, then stores the right one with mode 0600', async () => {
    const wrong = await b(['login', '-u', 'bob', '--password-stdin', reg.host], 'nope\n');
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /login attempt to http:\/\/.*\/v2\/ failed with status: 401 Unauthorized/,
    );
    await assert.rejects(stat(join(config, 'config.json')));
    const noTty = await b(['login', reg.host]);
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /Cannot perform an interactive login from a non TTY device/);
    assert.match(
      await ok(['login', '-u', 'bob', '--password-stdin', reg.host], 's3cret\n'),
      /Login Succeeded/,
    );
    const file = join(config, 'config.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    assert.equal(Buffer.from(saved.auths[reg.host]?.auth ?? '', 'base64').toString(), 'bob:s3cret');
  });

  it('push, rmi, pull by tag and by digest; pull -a', async () => {
    await ok(['tag', 'busybox', `${reg.host}/cli:1`]);
    await ok(['tag', 'busybox', `${reg.host}/cli:2`]);
    const push = await ok(['push', `${reg.host}/cli:1`]);
    const digest = /^1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(push)?.[1];
    assert.ok(digest, push);
    assert.match(await ok(['push', '-a', `${reg.host}/cli`]), /^2: digest: sha256:/m);
    await ok(['rmi', `${reg.host}/cli:1`, `${reg.host}/cli:2`]);
    const pull = await ok(['pull', `${reg.host}/cli:1`]);
    assert.match(pull, /Status: Downloaded newer image/);
    assert.equal(pull.trim().split('\n').at(-1), `${reg.host}/cli:1`);
    const byDigest = await ok(['pull', `${reg.host}/cli@${digest}`]);
    assert.match(byDigest, /Status: (Downloaded newer image|Image is up to date)/);
    const all = await ok(['pull', '-a', `${reg.host}/cli`]);
    assert.match(all, new RegExp(`Status: .* for ${reg.host}/cli$`, 'm'));
    const names = await ok(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.deepEqual(
      names
        .trim()
        .split('\n')
        .filter((n) => n.startsWith(`${reg.host}/cli:`))
        .sort(),
      [`${reg.host}/cli:1`, `${reg.host}/cli:2`],
    );
    const missing = await b(['pull', `${reg.host}/cli:nope`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /manifest for .*cli:nope not found/);
  });

  it('search finds the repository; logout forgets the credentials', async () => {
    const out = await ok(['search', `${reg.host}/cl`]);
    assert.match(out, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/m);
    assert.match(out, new RegExp(`^${reg.host}/cli\\s`, 'm'));
    assert.match(
      await ok(['logout', reg.host]),
      new RegExp(`Removing login credentials for ${reg.host}`),
    );
    const push = await b(['push', `${reg.host}/cli:1`]);
    assert.equal(push.code, 1);
    assert.match(push.stderr, /no basic auth credentials/);
    assert.match(await ok(['logout', reg.host]), /Not logged in/);
  });
});
