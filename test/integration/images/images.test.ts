// Images through the real Docker CLI against berth, on both storage drivers: load, save, import,
// images, inspect, history, tag, rmi, prune, system df, and bad archives.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventMessage } from '../../../src/types/docker/system.js';
import { docker, run, startDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { buildImage, busyboxArchive, readTar, sha256Hex } from '../../helpers/image-archive.js';

function driverDirs(d: TestDaemon, driver: string): string[] {
  const dir = driver === 'overlay2' ? join(d.dataRoot, 'overlay2') : join(d.dataRoot, 'vfs', 'dir');
  return readdirSync(dir).filter((n) => /^[0-9a-f]{32}$/.test(n));
}

for (const driver of ['overlay2', 'vfs']) {
  describe(`images (${driver})`, () => {
    let d: TestDaemon;
    let work: string;
    const dk = (args: string[], input?: string): ReturnType<typeof docker> =>
      docker(d.host, args, { timeoutMs: 60_000, ...(input ? {} : {}) });
    before(async () => {
      d = await startDaemon({ args: ['--storage-driver', driver] });
      work = await mkdtemp(join(tmpdir(), 'berth-images-'));
    });
    after(async () => {
      await d?.cleanup();
      await rm(work, { recursive: true, force: true });
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
      assert.equal(mounts.includes(d.dataRoot), false, 'nothing stays mounted');
    });

    it('loads the offline busybox image and shows it in images, inspect and history', async () => {
      const load = await dk(['load', '-i', busyboxArchive()]);
      assert.equal(load.code, 0, load.stderr);
      assert.equal(load.stdout.trim(), 'Loaded image: busybox:latest');
      const images = await dk(['images']);
      assert.match(images.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/m);
      assert.match(images.stdout, /^busybox\s+latest\s+[0-9a-f]{12}\s+.+ago\s+\d+(\.\d+)?MB$/m);
      const inspect = await dk(['image', 'inspect', 'busybox', '--format', '{{json .}}']);
      const info = JSON.parse(inspect.stdout) as Record<string, unknown> & {
        Config: { Cmd: string[]; Env: string[] };
        RootFS: { Layers: string[] };
      };
      assert.match(info['Id'] as string, /^sha256:[0-9a-f]{64}$/);
      assert.deepEqual(info['RepoTags'], ['busybox:latest']);
      assert.equal(info['Architecture'], 'amd64');
      assert.equal(info['Os'], 'linux');
      assert.deepEqual(info.Config.Cmd, ['sh']);
      assert.ok(info.Config.Env.some((e) => e.startsWith('PATH=')));
      assert.equal(info.RootFS.Layers.length, 1);
      assert.ok((info['Size'] as number) > 500_000);
      const graph = info['GraphDriver'] as { Name: string; Data: Record<string, string> | null };
      assert.equal(graph.Name, driver);
      if (driver === 'overlay2') {
        // The top layer's directories, as Docker shows them (no LowerDir: one layer).
        assert.deepEqual(Object.keys(graph.Data ?? {}).sort(), [
          'MergedDir',
          'UpperDir',
          'WorkDir',
        ]);
        assert.ok(existsSync(graph.Data?.['UpperDir'] ?? ''), 'UpperDir is there');
      }
      const history = await dk(['history', 'busybox']);
      assert.equal(history.code, 0, history.stderr);
      assert.match(history.stdout, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/m);
      assert.match(history.stdout, /CMD \["sh"\]/);
      assert.match(history.stdout, /^<missing>/m);
      const info2 = await dk(['info', '--format', '{{.Images}} {{.Driver}}']);
      assert.equal(info2.stdout.trim(), `1 ${driver}`);
    });

    it('save, rmi, load gives back the same image ID and tags, and the tar is a docker-archive', async () => {
      const id = (await dk(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).stdout.trim();
      const layer = (
        await dk(['image', 'inspect', 'busybox', '--format', '{{index .RootFS.Layers 0}}'])
      ).stdout.trim();
      const tag = await dk(['tag', 'busybox', 'me/bb:1']);
      assert.equal(tag.code, 0, tag.stderr);
      const out = join(work, 'saved.tar');
      const save = await dk(['save', '-o', out, 'busybox', 'me/bb:1']);
      assert.equal(save.code, 0, save.stderr);

      const files = await readTar(readFileSync(out));
      const manifest = JSON.parse(files.get('manifest.json')?.body.toString() ?? 'null') as {
        Config: string;
        RepoTags: string[];
        Layers: string[];
      }[];
      assert.equal(manifest.length, 1);
      const entry = manifest[0] as { Config: string; RepoTags: string[]; Layers: string[] };
      assert.deepEqual([...entry.RepoTags].sort(), ['busybox:latest', 'me/bb:1']);
      const config = files.get(entry.Config)?.body as Buffer;
      assert.equal(`sha256:${sha256Hex(config)}`, id, 'the config file hashes to the image ID');
      assert.equal(entry.Config, `${id.slice(7)}.json`);
      const diffIds = (JSON.parse(config.toString()) as { rootfs: { diff_ids: string[] } }).rootfs
        .diff_ids;
      assert.equal(entry.Layers.length, diffIds.length);
      entry.Layers.forEach((layer, i) => {
        const body = files.get(layer)?.body as Buffer;
        assert.equal(
          `sha256:${sha256Hex(body)}`,
          diffIds[i],
          'each layer.tar hashes to its diff ID',
        );
        const dir = layer.slice(0, -'/layer.tar'.length);
        assert.equal(files.get(`${dir}/VERSION`)?.body.toString(), '1.0');
        assert.ok(files.has(`${dir}/json`));
      });
      const repositories = JSON.parse(files.get('repositories')?.body.toString() ?? '{}') as Record<
        string,
        Record<string, string>
      >;
      assert.ok(repositories['busybox']?.['latest']);
      assert.ok(repositories['me/bb']?.['1']);
      const listing = await run('tar', ['-tf', out]);
      assert.equal(listing.code, 0, 'GNU tar reads it');

      const rmi = await dk(['rmi', 'busybox', 'me/bb:1']);
      assert.equal(rmi.code, 0, rmi.stderr);
      assert.match(rmi.stdout, /^Untagged: busybox:latest$/m);
      assert.match(rmi.stdout, /^Untagged: me\/bb:1$/m);
      // The image, then its layer (as Docker lists what went).
      assert.match(rmi.stdout, new RegExp(`^Deleted: ${id}\nDeleted: ${layer}$`, 'm'));
      assert.equal((await dk(['images', '-q'])).stdout.trim(), '');
      assert.deepEqual(driverDirs(d, driver), [], 'the layer is gone with its last image');

      const load = await dk(['load', '-i', out]);
      assert.equal(load.code, 0, load.stderr);
      assert.match(load.stdout, /Loaded image: busybox:latest/);
      assert.match(load.stdout, /Loaded image: me\/bb:1/);
      assert.equal(
        (await dk(['image', 'inspect', 'me/bb:1', '--format', '{{.Id}}'])).stdout.trim(),
        id,
      );
      await dk(['rmi', 'me/bb:1']);
    });

    it('untags, refuses an ID with several repositories unless forced, and 404s the unknown', async () => {
      await dk(['tag', 'busybox', 'other/name:x']);
      // A reference filter lists the matching names of an image only.
      const byReference = await dk([
        'images',
        '--filter',
        'reference=other/*',
        '--format',
        '{{.Repository}}:{{.Tag}}',
      ]);
      assert.equal(byReference.stdout, 'other/name:x\n');
      const id = (await dk(['image', 'inspect', 'busybox', '--format', '{{.Id}}'])).stdout.trim();
      const refused = await dk(['rmi', id.slice(7, 19)]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /unable to delete [0-9a-f]{12} \(must be forced\) - image is referenced in multiple repositories/,
      );
      const untag = await dk(['rmi', 'other/name:x']);
      assert.equal(untag.stdout.trim(), 'Untagged: other/name:x');
      const missing = await dk(['rmi', 'nosuchimage:1']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /No such image: nosuchimage:1/);
      const inspectMissing = await dk(['image', 'inspect', 'nosuchimage']);
      assert.equal(inspectMissing.code, 1);
      // Docker names a reference without a tag in full.
      for (const args of [
        ['rmi', 'nosuchimage'],
        ['tag', 'nosuchimage', 'x'],
        ['history', 'nosuchimage'],
      ]) {
        const r = await dk(args);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /No such image: nosuchimage:latest$/m, args.join(' '));
      }
      const badTag = await dk(['tag', 'busybox', 'UPPER/Case']);
      assert.equal(badTag.code, 1);
      assert.match(badTag.stderr, /invalid reference format/);
    });

    it('imports a root filesystem with --change and --message, from a file and from stdin', async () => {
      const rootfs = join(work, 'rootfs');
      await run('mkdir', ['-p', join(rootfs, 'etc'), join(rootfs, 'bin')]);
      await writeFile(join(rootfs, 'etc/hello'), 'hello from import\n');
      const tarFile = join(work, 'rootfs.tar');
      await run('tar', ['-C', rootfs, '-cf', tarFile, '.']);
      const imported = await dk([
        'import',
        '-c',
        'CMD ["/bin/true"]',
        '-c',
        'ENV A=1 B=two',
        '-c',
        'WORKDIR /etc',
        '-c',
        'EXPOSE 80',
        '-c',
        'LABEL k=v',
        '-m',
        'my message',
        tarFile,
        'imported:1',
      ]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
      const c = JSON.parse(
        (await dk(['image', 'inspect', 'imported:1', '--format', '{{json .}}'])).stdout,
      ) as {
        Config: {
          Cmd: string[];
          Env: string[];
          WorkingDir: string;
          ExposedPorts: Record<string, object>;
          Labels: Record<string, string>;
        };
        Comment: string;
        Id: string;
      };
      assert.equal(c.Id, imported.stdout.trim());
      assert.deepEqual(c.Config.Cmd, ['/bin/true']);
      assert.deepEqual(c.Config.Env, ['A=1', 'B=two']);
      assert.equal(c.Config.WorkingDir, '/etc');
      assert.deepEqual(c.Config.ExposedPorts, { '80/tcp': {} });
      assert.deepEqual(c.Config.Labels, { k: 'v' });
      assert.equal(c.Comment, 'my message');
      const history = await dk(['history', '--format', '{{.Comment}}', 'imported:1']);
      assert.equal(history.code, 0);

      const gz = join(work, 'rootfs.tar.gz');
      await run('sh', ['-c', `gzip -c ${tarFile} > ${gz}`]);
      const fromStdin = await run('sh', ['-c', `docker import - fromstdin < ${gz}`], {
        env: { ...process.env, DOCKER_HOST: d.host },
      });
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      const comment = await dk(['history', 'fromstdin', '--format', '{{.Comment}}']);
      assert.equal(comment.stdout.trim(), 'Imported from -');
      const badChange = await dk(['import', '-c', 'FROB x', tarFile]);
      assert.equal(badChange.code, 1);
      assert.match(badChange.stderr, /frob is not a valid change command/);
    });

    it('prunes dangling images, and with -a unused ones; system df shows the images', async () => {
      const dangling = await buildImage([[{ name: 'd.txt', content: 'dangling' }]]);
      await writeFile(join(work, 'dangling.tar'), dangling.archive);
      const load = await dk(['load', '-i', join(work, 'dangling.tar')]);
      assert.match(load.stdout, new RegExp(`Loaded image ID: ${dangling.id}`));
      const listed = await dk(['images', '--filter', 'dangling=true', '-q']);
      assert.equal(listed.stdout.trim(), dangling.id.slice(7, 19));
      const df = await dk(['system', 'df']);
      assert.equal(df.code, 0, df.stderr);
      assert.match(df.stdout, /^Images\s+4\s+0\s+/m);
      const prune = await dk(['image', 'prune', '-f']);
      assert.equal(prune.code, 0, prune.stderr);
      assert.match(prune.stdout, new RegExp(`deleted: ${dangling.id}`));
      assert.match(prune.stdout, /Total reclaimed space: \d/);
      assert.equal((await dk(['images', '-q', '--filter', 'dangling=true'])).stdout.trim(), '');
      const all = await dk(['image', 'prune', '-a', '-f', '--filter', 'label=nosuch']);
      assert.equal(all.code, 0);
      assert.match((await dk(['images'])).stdout, /busybox/);
      const refs = await dk(['images', 'imp*', '--format', '{{.Repository}}:{{.Tag}}']);
      assert.equal(refs.stdout.trim(), 'imported:1');
    });

    it('refuses broken archives cleanly and keeps nothing of them', async () => {
      const before = driverDirs(d, driver).length;
      const blobsBefore = (await readdir(join(d.dataRoot, 'blobs', 'sha256'))).length;
      await writeFile(join(work, 'garbage.tar'), 'this is not a tar archive at all'.repeat(40));
      const garbage = await dk(['load', '-i', join(work, 'garbage.tar')]);
      assert.equal(garbage.code, 1);
      assert.ok(garbage.stderr.length > 0);

      const good = await buildImage(
        [[{ name: 'a.txt', content: 'A' }], [{ name: 'b.txt', content: 'B' }]],
        { tags: ['corrupt:1'] },
      );
      const files = await readTar(good.archive);
      const { tarOf } = await import('../../helpers/image-archive.js');
      const entries = [...files.values()].map(({ header, body }) => {
        if (
          header.name.endsWith('layer.tar') &&
          header.name.startsWith(good.diffIds[1]?.slice(7) ?? '')
        ) {
          const changed = Buffer.from(body);
          changed[600] = (changed[600] as number) ^ 0xff;
          return { header, body: changed };
        }
        return { header, body };
      });
      await writeFile(join(work, 'corrupt.tar'), await tarOf(entries));
      const corrupt = await dk(['load', '-i', join(work, 'corrupt.tar')]);
      assert.equal(corrupt.code, 1);
      assert.match(corrupt.stderr, /does not match its diff ID/);
      assert.equal((await dk(['images', 'corrupt'])).stdout.includes('corrupt'), false, 'no image');
      const listed = await dk(['images', '-a', '-q']);
      assert.equal(listed.stdout.trim().split('\n').filter(Boolean).length, 3);
      const after = driverDirs(d, driver).length;
      assert.ok(after - before <= 1, 'at most the first, intact layer is kept for reuse');

      const deep = await buildImage(
        Array.from({ length: 128 }, (_, i) => [{ name: `f${i}`, content: String(i) }]),
      );
      await writeFile(join(work, 'deep.tar'), deep.archive);
      const tooDeep = await dk(['load', '-i', join(work, 'deep.tar')]);
      assert.equal(tooDeep.code, 1);
      assert.match(tooDeep.stderr, /max depth exceeded/);
      const blobsAfter = (await readdir(join(d.dataRoot, 'blobs', 'sha256'))).length;
      assert.ok(blobsAfter - blobsBefore <= 1);
      assert.equal((await d.client.ping()).apiVersion, '1.41', 'the daemon is fine');
    });

    it('loads an OCI layout with gzip layers, and an image of 125 layers', async () => {
      const oci = await buildImage(
        [[{ name: 'etc/os', content: 'oci' }], [{ name: 'etc/two', content: '2' }]],
        { format: 'oci', gzip: true, tags: ['docker.io/library/ocitest:v1'] },
      );
      await writeFile(join(work, 'oci.tar'), oci.archive);
      const load = await dk(['load', '-i', join(work, 'oci.tar')]);
      assert.equal(load.code, 0, load.stderr);
      assert.match(load.stdout, /Loaded image: ocitest:v1/);
      assert.equal(
        (await dk(['image', 'inspect', 'ocitest:v1', '--format', '{{.Id}}'])).stdout.trim(),
        oci.id,
      );

      const deep = await buildImage(
        Array.from({ length: 125 }, (_, i) => [{ name: `layer${i}.txt`, content: `layer ${i}` }]),
        { tags: ['deep:125'] },
      );
      await writeFile(join(work, 'deep125.tar'), deep.archive);
      const deepLoad = await dk(['load', '-i', join(work, 'deep125.tar')]);
      assert.equal(deepLoad.code, 0, deepLoad.stderr);
      assert.equal(
        (
          await dk(['image', 'inspect', 'deep:125', '--format', '{{len .RootFS.Layers}}'])
        ).stdout.trim(),
        '125',
      );
      const rmi = await dk(['rmi', 'deep:125', 'ocitest:v1']);
      assert.equal(rmi.code, 0, rmi.stderr);
    });

    it('lists with before/since/label filters, --no-trunc and --digests, and saves two images in one tar', async () => {
      const older = await buildImage([[{ name: 'o', content: 'old' }]], {
        tags: ['older:1'],
        created: '2025-01-01T00:00:00Z',
      });
      const newer = await buildImage([[{ name: 'n', content: 'new' }]], {
        tags: ['newer:1'],
        created: '2026-06-01T00:00:00Z',
      });
      await writeFile(join(work, 'older.tar'), older.archive);
      await writeFile(join(work, 'newer.tar'), newer.archive);
      assert.equal((await dk(['load', '-i', join(work, 'older.tar')])).code, 0);
      assert.equal((await dk(['load', '-i', join(work, 'newer.tar')])).code, 0);
      const before = await dk([
        'images',
        '--filter',
        'before=newer:1',
        '--format',
        '{{.Repository}}',
      ]);
      assert.ok(before.stdout.split('\n').includes('older'), before.stdout);
      assert.ok(!before.stdout.split('\n').includes('newer'));
      const since = await dk([
        'images',
        '--filter',
        'since=older:1',
        '--format',
        '{{.Repository}}',
      ]);
      assert.ok(since.stdout.split('\n').includes('newer'), since.stdout);
      assert.ok(!since.stdout.split('\n').includes('older'));
      const label = await dk(['images', '--filter', 'label=nosuch', '-q']);
      assert.equal(label.stdout.trim(), '');
      const noTrunc = await dk(['images', '--no-trunc', '--format', '{{.ID}}', 'older']);
      assert.equal(noTrunc.stdout.trim(), older.id);
      const digests = await dk(['images', '--digests', 'older']);
      assert.match(digests.stdout, /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID/m);
      const badFilter = await dk(['images', '--filter', 'color=red']);
      assert.equal(badFilter.code, 1);
      assert.match(badFilter.stderr, /Invalid filter 'color'/);

      const both = join(work, 'both.tar');
      assert.equal((await dk(['save', '-o', both, 'older:1', 'newer:1'])).code, 0);
      const manifest = JSON.parse(
        (await readTar(readFileSync(both))).get('manifest.json')?.body.toString() ?? '[]',
      ) as { RepoTags: string[] }[];
      assert.deepEqual(manifest.map((m) => m.RepoTags[0]).sort(), ['newer:1', 'older:1']);
      assert.equal((await dk(['rmi', 'older:1', 'newer:1'])).code, 0);
      const load = await dk(['load', '-i', both]);
      assert.match(load.stdout, /Loaded image: older:1/);
      assert.match(load.stdout, /Loaded image: newer:1/);
      assert.equal(
        (await dk(['image', 'inspect', 'newer:1', '--format', '{{.Id}}'])).stdout.trim(),
        newer.id,
      );
      await dk(['rmi', 'older:1', 'newer:1']);
    });

    it('emits image events for load, tag, untag, import and delete', async () => {
      const events: EventMessage[] = [];
      for await (const e of d.client.events({
        since: '0',
        until: String(Math.ceil(Date.now() / 1000) + 1),
        filters: { type: ['image'] },
      }))
        events.push(e);
      const actions = new Set(events.map((e) => e.Action));
      for (const a of ['load', 'tag', 'untag', 'import', 'delete', 'save'])
        assert.ok(actions.has(a), `${a} in ${[...actions].join(',')}`);
      const tagEvent = events.find((e) => e.Action === 'tag');
      assert.equal(tagEvent?.Actor.Attributes['name'], 'me/bb:1');
    });
  });
}
