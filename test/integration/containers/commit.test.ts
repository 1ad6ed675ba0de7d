// docker diff and docker commit through the real Docker CLI, on overlay2 and on vfs: the
// changes a container made (running or stopped), images made of them (config, history,
// tags, save/load), and bad input refused with nothing written.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berth, docker, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

function api(
  socket: string,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: socket,
        method,
        path,
        agent: false,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body: text,
          }),
        );
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** What the daemon has written: layer dirs, blobs, ingest files. */
function stored(d: TestDaemon, driver: string): string[] {
  const layers = driver === 'vfs' ? join(d.dataRoot, 'vfs', 'dir') : join(d.dataRoot, 'overlay2');
  return [
    ...entries(layers).map((n) => `layer ${n}`),
    ...entries(join(d.dataRoot, 'blobs', 'sha256')).map((n) => `blob ${n}`),
    ...entries(join(d.dataRoot, 'ingest')).map((n) => `ingest ${n}`),
  ];
}

/** `docker diff` of a container that added /added, appended to /etc/passwd, deleted /bin/ls. */
const DIFF: Record<string, string> = {
  // overlay2 leaves out /etc: copying passwd up kept its directory's attributes.
  overlay2: 'A /added\nC /bin\nD /bin/ls\nC /etc/passwd\n',
  // vfs ("naive diff") lists every directory that holds a change.
  vfs: 'A /added\nC /bin\nD /bin/ls\nC /etc\nC /etc/passwd\n',
};

const CHANGE_SCRIPT =
  'echo hello-commit > /added; echo extra:x:1:1::/:/bin/sh >> /etc/passwd; rm /bin/ls';

for (const driver of ['overlay2', 'vfs']) {
  describe(`docker diff and commit (${driver})`, () => {
    let d: TestDaemon;
    let work: string;
    const dk = (args: string[], timeoutMs = 60_000): ReturnType<typeof docker> =>
      docker(d.host, args, { timeoutMs });
    const ok = async (args: string[]): Promise<string> => {
      const r = await dk(args);
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };

    before(async () => {
      d = await startDaemon({ args: ['--storage-driver', driver] });
      work = await mkdtemp(join(tmpdir(), 'berth-commit-'));
      await ok(['load', '-i', busyboxArchive()]);
      await ok(['run', '--name', 'changed', 'busybox', 'sh', '-c', CHANGE_SCRIPT]);
    });
    after(async () => {
      try {
        const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
        if (ids.length > 0) await dk(['rm', '-f', ...ids]);
      } finally {
        const dataRoot = d?.dataRoot;
        await d?.cleanup();
        await rm(work, { recursive: true, force: true });
        if (dataRoot !== undefined) {
          assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(dataRoot), false);
        }
      }
    });

    it('docker diff lists what the container added, changed and deleted', async () => {
      const r = await dk(['diff', 'changed']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, DIFF[driver]);
      assert.equal(r.stderr, '');
      const raw = await api(d.socket, 'GET', '/v1.41/containers/changed/changes');
      assert.equal(raw.status, 200);
      assert.equal(raw.type, 'application/json');
      assert.deepEqual(JSON.parse(raw.body)[0], { Path: '/added', Kind: 1 });
      const mine = await berth(['-H', d.host, 'diff', 'changed']);
      assert.equal(mine.code, 0, mine.stderr);
      assert.equal(mine.stdout, DIFF[driver]);
    });

    it('lists nothing (null) for a container that changed nothing, started or not', async () => {
      await ok(['create', '--name', 'fresh', 'busybox', 'true']);
      await ok(['run', '--name', 'ran', 'busybox', 'true']);
      for (const name of ['fresh', 'ran']) {
        // The mount targets the runtime needs (/etc/hosts...) live in the init layer.
        assert.equal(await ok(['diff', name]), '', name);
        const raw = await api(d.socket, 'GET', `/containers/${name}/changes`);
        assert.equal(raw.body, 'null\n', name);
      }
    });

    it('lists the changes of a running container', async () => {
      await ok([
        'run',
        '-d',
        '--name',
        'live',
        'busybox',
        'sh',
        '-c',
        'mkdir -p /data/sub && echo 1 > /data/sub/f && touch /ready && exec sleep 300',
      ]);
      const deadline = Date.now() + 30_000;
      let out = '';
      while (!out.includes('A /ready') && Date.now() < deadline) {
        out = await ok(['diff', 'live']);
        if (!out.includes('A /ready')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(out, 'A /data\nA /data/sub\nA /data/sub/f\nA /ready\n');
    });

    it('refuses diff of a missing container with a 404', async () => {
      const r = await dk(['diff', 'nosuchcontainer']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error response from daemon: No such container: nosuchcontainer\n');
      const raw = await api(d.socket, 'GET', '/containers/nosuchcontainer/changes');
      assert.equal(raw.status, 404);
      assert.deepEqual(JSON.parse(raw.body), { message: 'No such container: nosuchcontainer' });
    });

    it('docker commit makes an image of the changes, with -c, -m and -a', async () => {
      const since = Math.floor(Date.now() / 1000) - 1;
      const r = await dk([
        'commit',
        '-c',
        'CMD ["cat","/added"]',
        '-c',
        'ENV COMMITTED=yes',
        '-m',
        'my message',
        '-a',
        'Jane <jane@example.com>',
        'changed',
        'committed:v1',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const id = r.stdout.trim();
      assert.match(id, /^sha256:[0-9a-f]{64}$/);

      assert.equal(await ok(['run', '--rm', 'committed:v1']), 'hello-commit\n');
      const inside = await ok([
        'run',
        '--rm',
        'committed:v1',
        'sh',
        '-c',
        'test -e /bin/ls && echo ls-there || echo ls-gone; tail -n 1 /etc/passwd; echo $COMMITTED',
      ]);
      assert.equal(inside, 'ls-gone\nextra:x:1:1::/:/bin/sh\nyes\n');
      const ls = await dk(['run', '--rm', 'committed:v1', 'ls', '/bin/ls']);
      assert.notEqual(ls.code, 0, 'ls is gone from the new image');

      const busyboxId = (await ok(['inspect', '-f', '{{.Id}}', 'busybox'])).trim();
      const inspect = await ok([
        'inspect',
        '-f',
        '{{.Id}}|{{json .Config.Cmd}}|{{.Comment}}|{{.Author}}|{{.Parent}}|{{len .RootFS.Layers}}',
        'committed:v1',
      ]);
      const busyboxLayers = (
        await ok(['inspect', '-f', '{{len .RootFS.Layers}}', 'busybox'])
      ).trim();
      assert.equal(
        inspect.trim(),
        `${id}|["cat","/added"]|my message|Jane <jane@example.com>|${busyboxId}|${Number(busyboxLayers) + 1}`,
      );

      const history = await ok([
        'history',
        '--no-trunc',
        '--format',
        '{{.CreatedBy}}|{{.Comment}}',
        'committed:v1',
      ]);
      const [top, ...rest] = history.trim().split('\n');
      assert.equal(top, `sh -c ${CHANGE_SCRIPT}|my message`);
      const parentHistory = await ok(['history', '--format', '{{.CreatedBy}}', 'busybox']);
      assert.equal(
        rest.length,
        parentHistory.trim().split('\n').length,
        'the parent history below',
      );

      const events = await ok([
        'events',
        '--since',
        String(since),
        '--until',
        String(Math.floor(Date.now() / 1000) + 1),
        '--filter',
        'event=commit',
        '--format',
        '{{.Type}} {{.Action}} {{.Actor.Attributes.imageID}} {{.Actor.Attributes.imageRef}} {{.Actor.Attributes.comment}}',
      ]);
      assert.equal(events, `container commit ${id} committed:v1 my message\n`);
    });

    it('commits a stopped container without a name, and an unchanged one without a layer', async () => {
      const anonymous = (await ok(['commit', 'changed'])).trim();
      assert.match(anonymous, /^sha256:[0-9a-f]{64}$/);
      assert.equal(
        (await ok(['inspect', '-f', '{{json .RepoTags}}', anonymous])).trim(),
        '[]',
        'no tag without a repository',
      );
      const empty = (await ok(['commit', 'fresh', 'unchanged'])).trim();
      const layers = async (ref: string): Promise<string> =>
        (await ok(['inspect', '-f', '{{json .RootFS.Layers}}', ref])).trim();
      assert.equal(await layers(empty), await layers('busybox'), 'an empty diff adds no layer');
      const top = (await ok(['history', '--format', '{{.Size}}', 'unchanged'])).split('\n')[0];
      assert.equal(top, '0B');
      assert.equal(
        (await ok(['inspect', '-f', '{{json .Config.Cmd}}', 'unchanged'])).trim(),
        '["true"]',
        "the container's own command",
      );
    });

    it('pauses a running container while committing it, and leaves it running', async () => {
      const since = (Date.now() / 1000).toFixed(3);
      const image = (await ok(['commit', 'live', 'fromlive'])).trim();
      const events = await ok([
        'events',
        '--since',
        since,
        '--until',
        String(Math.ceil(Date.now() / 1000) + 1),
        '--filter',
        'container=live',
        '--format',
        '{{.Action}}',
      ]);
      assert.deepEqual(events.split('\n').filter(Boolean), ['pause', 'commit', 'unpause']);
      assert.match(image, /^sha256:/);
      assert.equal(
        (await ok(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'live'])).trim(),
        'running false',
      );
      assert.equal(
        await ok(['run', '--rm', 'fromlive', 'cat', '/data/sub/f']),
        '1\n',
        'what the container wrote before the commit',
      );
      const unpaused = await dk(['commit', '--pause=false', 'live', 'fromlive:nopause']);
      assert.equal(unpaused.code, 0, unpaused.stderr);
      assert.equal((await ok(['inspect', '-f', '{{.State.Running}}', 'live'])).trim(), 'true');
    });

    it('berth commit takes the same options', async () => {
      const r = await berth([
        '-H',
        d.host,
        'commit',
        '-m',
        'from berth',
        '-c',
        'CMD ["cat","/etc/passwd"]',
        'changed',
        'byberth:1',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
      assert.match(await ok(['run', '--rm', 'byberth:1']), /^extra:x:1:1::\/:\/bin\/sh$/m);
      assert.equal((await ok(['inspect', '-f', '{{.Comment}}', 'byberth:1'])).trim(), 'from berth');
      const bad = await berth(['-H', d.host, 'commit', 'nosuchcontainer']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, 'Error response from daemon: No such container: nosuchcontainer\n');
    });

    it('refuses bad input with Docker status and message, writing nothing', async () => {
      const images = await ok(['images', '-aq', '--no-trunc']);
      // After the layers overlay2 makes ahead for the next container of the last run's image.
      let files = stored(d, driver);
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = stored(d, driver);
        if (now.join() === files.join()) break;
        files = now;
      }

      const missing = await dk(['commit', 'nosuchcontainer', 'x:1']);
      assert.equal(missing.code, 1);
      assert.equal(
        missing.stderr,
        'Error response from daemon: No such container: nosuchcontainer\n',
      );
      const bogus = await dk(['commit', '-c', 'BOGUS x', 'changed', 'bogus:1']);
      assert.equal(bogus.code, 1);
      assert.equal(
        bogus.stderr,
        'Error response from daemon: bogus is not a valid change command\n',
      );

      const cases: [string, number, string][] = [
        ['/commit?container=changed&repo=Bad%20Repo', 400, 'invalid reference format'],
        [
          '/commit?container=changed&repo=UPPER',
          400,
          'invalid reference format: repository name (library/UPPER) must be lowercase',
        ],
        ['/commit?container=changed&repo=ok&tag=bad%3Atag', 400, 'invalid tag format'],
        [
          `/commit?container=changed&repo=ok%40sha256%3A${'a'.repeat(64)}`,
          400,
          'cannot import digest reference',
        ],
        ['/commit?container=nosuchcontainer&repo=Bad%20Repo', 400, 'invalid reference format'],
        ['/commit?repo=ok', 400, 'invalid container name or ID: value is empty'],
        ['/commit?container=changed&changes=RUN%20true', 400, 'run is not a valid change command'],
      ];
      for (const [path, status, message] of cases) {
        const r = await api(d.socket, 'POST', path);
        assert.equal(r.status, status, `${path}: ${r.body}`);
        assert.equal(r.type, 'application/json');
        assert.equal((JSON.parse(r.body) as { message: string }).message, message, path);
      }
      const badJson = await api(d.socket, 'POST', '/commit?container=changed&repo=ok', '{"Cmd":');
      assert.equal(badJson.status, 400);
      const badField = await api(d.socket, 'POST', '/commit?container=changed', '{"Tty":"yes"}');
      assert.equal(badField.status, 400);
      assert.match(badField.body, /Config\.Tty/);

      assert.equal(await ok(['images', '-aq', '--no-trunc']), images, 'no image added');
      assert.deepEqual(stored(d, driver), files, 'no layer, blob or ingest file left');
      assert.equal((await dk(['version', '--format', '{{.Server.Version}}'])).code, 0);
    });

    it('takes a config in the body, completed from the container', async () => {
      const r = await api(
        d.socket,
        'POST',
        '/commit?container=changed&repo=withbody&tag=1',
        JSON.stringify({ Env: ['FROM_BODY=1'], Labels: { from: 'body' } }),
      );
      assert.equal(r.status, 201, r.body);
      const { Id } = JSON.parse(r.body) as { Id: string };
      assert.match(Id, /^sha256:[0-9a-f]{64}$/);
      const config = JSON.parse(await ok(['inspect', '-f', '{{json .Config}}', 'withbody:1'])) as {
        Env: string[];
        Cmd: string[];
        Labels: Record<string, string>;
      };
      assert.deepEqual(config.Labels, { from: 'body' });
      assert.ok(
        config.Env.includes('FROM_BODY=1') && config.Env.some((e) => e.startsWith('PATH=')),
      );
      assert.deepEqual(config.Cmd, ['sh', '-c', CHANGE_SCRIPT], "the container's command");
    });

    it('removes the init layer with its container', async () => {
      if (driver === 'vfs') {
        const before = stored(d, driver);
        await ok(['create', '--name', 'shortlived', 'busybox', 'true']);
        assert.equal(stored(d, driver).length, before.length + 2, 'a writable and an init layer');
        await ok(['rm', 'shortlived']);
        assert.deepEqual(stored(d, driver), before);
        return;
      }
      // overlay2 makes the next container's layers ahead: its own are the ones inspect names.
      await ok(['create', '--name', 'shortlived', 'busybox', 'true']);
      const data = JSON.parse(
        await ok(['inspect', '-f', '{{json .GraphDriver.Data}}', 'shortlived']),
      ) as Record<string, string>;
      const writable = dirname(data['UpperDir'] ?? '');
      const init = dirname((data['LowerDir'] ?? '').split(':')[0] ?? '');
      assert.equal(init, `${writable}init`);
      assert.ok(existsSync(writable) && existsSync(init));
      await ok(['rm', 'shortlived']);
      assert.equal(existsSync(writable), false);
      assert.equal(existsSync(init), false);
    });

    it('keeps the image ID through save, rmi and load', async () => {
      const id = (await ok(['commit', '-m', 'roundtrip', 'changed', 'roundtrip:1'])).trim();
      const archive = join(work, 'roundtrip.tar');
      await ok(['save', '-o', archive, 'roundtrip:1']);
      await ok(['rmi', 'roundtrip:1']);
      assert.notEqual((await dk(['inspect', id])).code, 0, 'removed');
      assert.match(await ok(['load', '-i', archive]), /Loaded image: roundtrip:1/);
      assert.equal((await ok(['inspect', '-f', '{{.Id}}', 'roundtrip:1'])).trim(), id);
      assert.equal(await ok(['run', '--rm', 'roundtrip:1', 'cat', '/added']), 'hello-commit\n');
    });

    it('keeps init layers through a daemon restart (start-up garbage collection)', async () => {
      // Last: the restarted daemon removes every container before it stops.
      const others = (await ok(['ps', '-a', '--format', '{{.Names}}']))
        .split('\n')
        .filter((n) => n !== '' && n !== 'changed');
      if (others.length > 0) await ok(['rm', '-f', ...others]);
      d.process.kill('SIGTERM');
      assert.equal((await d.exited).code, 0);
      const restarted = await startDaemon({ reuseDir: d.dir, args: ['--storage-driver', driver] });
      try {
        const again = await docker(restarted.host, ['diff', 'changed'], { timeoutMs: 60_000 });
        assert.equal(again.stdout, DIFF[driver], again.stderr);
        assert.equal(restarted.log().includes('start-up removed files'), false, restarted.log());
      } finally {
        const left = (await docker(restarted.host, ['ps', '-aq'])).stdout
          .split('\n')
          .filter(Boolean);
        if (left.length > 0) await docker(restarted.host, ['rm', '-f', ...left]);
        await restarted.cleanup();
      }
    });
  });
}
