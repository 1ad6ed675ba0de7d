// berth's own image commands against a real daemon: the same results as the Docker CLI's.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berth, docker, run, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { buildImage, busyboxArchive } from '../../helpers/image-archive.js';

describe('berth image commands', () => {
  let d: TestDaemon;
  let work: string;
  const b = (args: string[]): ReturnType<typeof berth> =>
    berth(['-H', d.host, ...args], { timeoutMs: 60_000 });
  before(async () => {
    d = await startDaemon();
    work = await mkdtemp(join(tmpdir(), 'berth-cli-images-'));
  });
  after(async () => {
    await d?.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it('load, images, inspect, history, tag print what the Docker CLI prints', async () => {
    const load = await b(['load', '-i', busyboxArchive()]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout.trim(), 'Loaded image: busybox:latest');
    assert.equal((await b(['tag', 'busybox', 'mine/bb:2'])).code, 0);
    const mine = await b(['images']);
    const theirs = await docker(d.host, ['images']);
    // The Docker CLI prints the repositories of one image in Go map order (at random).
    const lines = (text: string): string[] => text.split('\n').sort();
    assert.equal(mine.stdout.split('\n')[0], theirs.stdout.split('\n')[0]);
    assert.deepEqual(lines(mine.stdout), lines(theirs.stdout));
    assert.equal(
      (await b(['images', '-q'])).stdout,
      (await docker(d.host, ['images', '-q'])).stdout,
    );
    assert.equal(
      (await b(['history', 'busybox'])).stdout,
      (await docker(d.host, ['history', 'busybox'])).stdout,
    );
    const inspect = await b(['image', 'inspect', 'mine/bb:2', '--format', '{{.Id}} {{.Os}}']);
    assert.equal(
      inspect.stdout,
      (await docker(d.host, ['image', 'inspect', 'mine/bb:2', '--format', '{{.Id}} {{.Os}}']))
        .stdout,
    );
    const json = JSON.parse((await b(['image', 'inspect', 'busybox'])).stdout) as {
      RepoTags: string[];
    }[];
    assert.deepEqual([...(json[0]?.RepoTags ?? [])].sort(), ['busybox:latest', 'mine/bb:2']);
    const missing = await b(['image', 'inspect', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such image: nosuch/);
  });

  it('save to stdout and load from stdin round-trip; rmi prints Untagged and Deleted', async () => {
    const id = (await b(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).stdout.trim();
    // One layer: its chain ID is its diff ID.
    const layer = (
      await b(['image', 'inspect', 'busybox', '--format', '{{index .RootFS.Layers 0}}'])
    ).stdout.trim();
    const out = join(work, 'bb.tar');
    const save = await run('sh', [
      '-c',
      `"$0" -H "$1" save mine/bb:2 > "$2"`,
      join(process.env['BERTH_REPO'] ?? '', 'bin/berth'),
      d.host,
      out,
    ]);
    assert.equal(save.code, 0, save.stderr);
    const rmi = await b(['rmi', 'mine/bb:2']);
    assert.equal(rmi.stdout.trim(), 'Untagged: mine/bb:2');
    const rmi2 = await b(['rmi', 'busybox']);
    assert.equal(rmi2.stdout, `Untagged: busybox:latest\nDeleted: ${id}\nDeleted: ${layer}\n`);
    const load = await run('sh', [
      '-c',
      `"$0" -H "$1" load < "$2"`,
      join(process.env['BERTH_REPO'] ?? '', 'bin/berth'),
      d.host,
      out,
    ]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout.trim(), 'Loaded image: mine/bb:2');
    assert.equal(
      (await b(['image', 'inspect', 'mine/bb:2', '--format', '{{.Id}}'])).stdout.trim(),
      id,
    );
  });

  it('draws layer progress bars when its output is a terminal', async () => {
    const image = await buildImage([[{ name: 'p', content: 'x'.repeat(200_000) }]], {
      tags: ['tty:1'],
    });
    const file = join(work, 'tty.tar');
    await writeFile(file, image.archive);
    const bin = join(process.env['BERTH_REPO'] ?? '', 'bin/berth');
    const r = await run('script', ['-qec', `${bin} -H ${d.host} load -i ${file}`, '/dev/null']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(
      r.stdout,
      new RegExp(`${image.diffIds[0]?.slice(7, 19)}: Loading layer \\[=+>\\s*\\]`),
    );
    assert.match(r.stdout, /Loaded image: tty:1/);
    await b(['rmi', 'tty:1']);
  });

  it('import from stdin, prune and system df', async () => {
    const dir = join(work, 'root');
    await run('mkdir', ['-p', dir]);
    await writeFile(join(dir, 'x'), 'x');
    const imported = await run('sh', [
      '-c',
      `tar -C "$3" -cf - . | "$0" -H "$1" import -c "$2" - berthimp:1`,
      join(process.env['BERTH_REPO'] ?? '', 'bin/berth'),
      d.host,
      'CMD ["x"]',
      dir,
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const dangling = await buildImage([[{ name: 'y', content: 'y' }]]);
    await writeFile(join(work, 'dangling.tar'), dangling.archive);
    await b(['load', '-i', join(work, 'dangling.tar')]);
    const df = await b(['system', 'df']);
    assert.match(df.stdout, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/m);
    assert.match(df.stdout, /^Images\s+3\s+0\s+/m);
    const prune = await b(['image', 'prune', '-f']);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, new RegExp(`^deleted: ${dangling.id}$`, 'm'));
    const bad = await b(['load', '-i', join(work, 'nosuchfile.tar')]);
    assert.equal(bad.code, 1);
    const garbage = join(work, 'garbage');
    await writeFile(garbage, 'nope');
    const refused = await b(['load', '-i', garbage]);
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.length > 0);
  });
});
