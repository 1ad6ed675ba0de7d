// Pull and push through the real Docker CLI against berth and Debian's docker-registry on
// loopback: push then rmi then pull gives the same image; pull by digest; multi-platform
// indexes; OCI manifests with gzip, zstd and plain layers; cross-repository mounts; chunked
// uploads; a corrupt blob and a registry that dies mid-transfer leave nothing behind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiRequest, messageOf } from '../../helpers/api.js';
import { startCutProxy, type CutProxy } from '../../helpers/cut-proxy.js';
import { docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive, layerTar } from '../../helpers/image-archive.js';
import { pushIndex, pushRawImage, registryBlobPath } from '../../helpers/registry-content.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';

interface StoreState {
  readonly images: string;
  readonly layers: string[];
  readonly blobs: string[];
  readonly ingest: string[];
}

describe('distribution: pull and push', () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let proxy: CutProxy;
  let work: string;
  const dk = (args: string[]): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs: 120_000 });
  const ok = async (args: string[]): Promise<string> => {
    const r = await dk(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const state = async (): Promise<StoreState> => ({
    images: (
      await ok([
        'images',
        '-a',
        '--no-trunc',
        '--digests',
        '--format',
        '{{.Repository}} {{.Tag}} {{.Digest}} {{.ID}}',
      ])
    )
      .trim()
      .split('\n')
      .sort()
      .join('\n'),
    layers: readdirSync(join(d.dataRoot, 'overlay2'))
      .filter((n) => /^[0-9a-f]{32}$/.test(n))
      .sort(),
    blobs: readdirSync(join(d.dataRoot, 'blobs', 'sha256')).sort(),
    ingest: readdirSync(join(d.dataRoot, 'ingest')),
  });
  const inspect = async (name: string): Promise<Record<string, unknown>> =>
    JSON.parse(await ok(['image', 'inspect', name, '--format', '{{json .}}'])) as Record<
      string,
      unknown
    >;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-dist-'));
    reg = await startRegistry();
    proxy = await startCutProxy(reg.host);
    d = await startDaemon({ args: ['--max-concurrent-downloads', '2'] });
    await ok(['load', '-i', busyboxArchive()]);
  });
  after(async () => {
    await d?.cleanup();
    await proxy?.close();
    await reg?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('push, rmi, pull: the same image comes back, with its RepoDigest', async () => {
    const ref = `${reg.host}/bb:1`;
    const { Id: id } = await inspect('busybox');
    await ok(['tag', 'busybox', ref]);
    const push = await ok(['push', ref]);
    assert.match(push, new RegExp(`^The push refers to repository \\[${reg.host}/bb\\]$`, 'm'));
    assert.match(push, /^[0-9a-f]{12}: Pushed$/m);
    const digest = /^1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/m.exec(push)?.[1];
    assert.ok(digest, push);
    assert.deepEqual((await inspect(ref))['RepoDigests'], [`${reg.host}/bb@${digest}`]);
    // The registry has exactly that manifest under the tag.
    const head = await fetch(`http://${reg.host}/v2/bb/manifests/1`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    assert.equal(head.headers.get('docker-content-digest'), digest);
    // The loaded (uncompressed) layer went up gzip-compressed, as Docker sends it.
    const manifest = (await (
      await fetch(`http://${reg.host}/v2/bb/manifests/1`, {
        headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      })
    ).json()) as { layers: { mediaType: string; digest: string }[] };
    assert.equal(
      manifest.layers[0]?.mediaType,
      'application/vnd.docker.image.rootfs.diff.tar.gzip',
    );
    const blob = await fetch(`http://${reg.host}/v2/bb/blobs/${manifest.layers[0]?.digest}`);
    assert.deepEqual([...Buffer.from(await blob.arrayBuffer()).subarray(0, 2)], [0x1f, 0x8b]);

    const again = await ok(['push', ref]);
    assert.match(again, /^[0-9a-f]{12}: Layer already exists$/m);

    const rmi = await ok(['rmi', ref, 'busybox']);
    assert.match(rmi, new RegExp(`^Untagged: ${reg.host}/bb@${digest}$`, 'm'));
    assert.match(rmi, /^Deleted: sha256:/m);
    assert.deepEqual(await state().then((s) => s.layers), []);

    const pull = await ok(['pull', ref]);
    assert.match(pull, /^1: Pulling from bb$/m);
    assert.match(pull, /^[0-9a-f]{12}: Pull complete$/m);
    assert.match(pull, new RegExp(`^Digest: ${digest}$`, 'm'));
    assert.match(pull, new RegExp(`^Status: Downloaded newer image for ${ref}$`, 'm'));
    const pulled = await inspect(ref);
    assert.equal(pulled['Id'], id);
    assert.deepEqual(pulled['RepoDigests'], [`${reg.host}/bb@${digest}`]);
    assert.deepEqual(pulled['RepoTags'], [ref]);

    const same = await ok(['pull', ref]);
    assert.match(same, new RegExp(`^Status: Image is up to date for ${ref}$`, 'm'));

    // A container runs from the pulled image.
    const out = await ok(['run', '--rm', ref, 'echo', 'pulled']);
    assert.equal(out.trim(), 'pulled');
  });

  it('pulls by digest, records the digest reference only', async () => {
    const repoDigest = ((await inspect(`${reg.host}/bb:1`))['RepoDigests'] as string[])[0];
    const digest = repoDigest?.slice(repoDigest.indexOf('@') + 1);
    await ok(['rmi', `${reg.host}/bb:1`]);
    const byDigest = `${reg.host}/bb@${digest}`;
    const pull = await ok(['pull', byDigest]);
    assert.match(pull, new RegExp(`^Status: Downloaded newer image for ${byDigest}$`, 'm'));
    const info = await inspect(byDigest);
    assert.deepEqual(info['RepoTags'], []);
    assert.deepEqual(info['RepoDigests'], [byDigest]);
    const wrong = await dk(['pull', `${reg.host}/bb@sha256:${'0'.repeat(64)}`]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /manifest unknown/);
    await ok(['rmi', byDigest]);
  });

  it('cross-repository mount, and chunked uploads of a large layer', async () => {
    await ok(['pull', `${reg.host}/bb:1`]);
    await ok(['tag', `${reg.host}/bb:1`, `${reg.host}/other:1`]);
    const push = await ok(['push', `${reg.host}/other:1`]);
    assert.match(push, /^[0-9a-f]{12}: Mounted from bb$/m);

    // A 9 MiB layer goes up in 8 MiB PATCH chunks.
    const tar = await layerTar([{ name: 'big.bin', content: randomBytes(9 * 1024 * 1024) }]);
    await writeFile(join(work, 'big.tar'), tar);
    await ok(['import', join(work, 'big.tar'), `${reg.host}/big:1`]);
    const before = reg
      .log()
      .split('\n')
      .filter((l) => l.includes('"PATCH /v2/big/')).length;
    const out = await ok(['push', `${reg.host}/big:1`]);
    assert.match(out, /^[0-9a-f]{12}: Pushed$/m);
    const patches = reg
      .log()
      .split('\n')
      .filter((l) => l.includes('"PATCH /v2/big/')).length;
    assert.ok(patches - before >= 2, `two PATCH chunks expected, log:\n${reg.log()}`);
    const { Id: id } = await inspect(`${reg.host}/big:1`);
    await ok(['rmi', `${reg.host}/big:1`]);
    await ok(['pull', `${reg.host}/big:1`]);
    assert.equal((await inspect(`${reg.host}/big:1`))['Id'], id);
  });

  it('OCI and schema 2 manifests with gzip, zstd and plain layers; Already exists for shared ones', async () => {
    const base = { name: 'shared.txt', content: 'shared\n' };
    const image = await pushRawImage(reg.host, 'mixed', 'v1', {
      oci: true,
      layers: [
        { entries: [base], compression: 'gzip' },
        { entries: [{ name: 'z.txt', content: 'zstd layer\n' }], compression: 'zstd' },
        { entries: [{ name: 'p.txt', content: 'plain layer\n' }], compression: 'none' },
      ],
    });
    const pull = await ok(['pull', `${reg.host}/mixed:v1`]);
    assert.equal((pull.match(/: Pull complete$/gm) ?? []).length, 3);
    // --max-concurrent-downloads 2: the third layer waits for a slot.
    assert.equal((pull.match(/: Waiting$/gm) ?? []).length, 1);
    assert.equal((await inspect(`${reg.host}/mixed:v1`))['Id'], image.id);
    // The layers' files are all in the image's root filesystem.
    await ok(['create', '--name', 'mixed', `${reg.host}/mixed:v1`]);
    for (const [file, text] of [
      ['shared.txt', 'shared\n'],
      ['z.txt', 'zstd layer\n'],
      ['p.txt', 'plain layer\n'],
    ] as const) {
      await ok(['cp', `mixed:/${file}`, join(work, file)]);
      assert.equal(await readFile(join(work, file), 'utf8'), text);
    }
    await ok(['rm', 'mixed']);
    const second = await pushRawImage(reg.host, 'mixed2', 'v1', {
      layers: [
        { entries: [base], compression: 'gzip' },
        { entries: [{ name: 'x.txt', content: 'x\n' }], compression: 'gzip' },
      ],
    });
    const pull2 = await ok(['pull', `${reg.host}/mixed2:v1`]);
    assert.match(
      pull2,
      new RegExp(`^${second.layerDigests[0]?.slice(7, 19)}: Already exists$`, 'm'),
    );
    assert.equal((pull2.match(/: Pull complete$/gm) ?? []).length, 1);
  });

  it('a multi-platform index resolves to linux/amd64, or the --platform asked for', async () => {
    const amd = await pushRawImage(reg.host, 'multi', 'amd64', {
      architecture: 'amd64',
      layers: [{ entries: [{ name: 'arch', content: 'amd64\n' }], compression: 'gzip' }],
    });
    const arm = await pushRawImage(reg.host, 'multi', 'arm64', {
      architecture: 'arm64',
      layers: [{ entries: [{ name: 'arch', content: 'arm64\n' }], compression: 'gzip' }],
    });
    const index = await pushIndex(reg.host, 'multi', 'v1', [
      { image: arm, os: 'linux', architecture: 'arm64', variant: 'v8' },
      { image: amd, os: 'linux', architecture: 'amd64' },
    ]);
    const pull = await ok(['pull', `${reg.host}/multi:v1`]);
    assert.match(pull, new RegExp(`^Digest: ${index}$`, 'm'));
    const info = await inspect(`${reg.host}/multi:v1`);
    assert.equal(info['Id'], amd.id);
    assert.equal(info['Architecture'], 'amd64');
    assert.deepEqual(info['RepoDigests'], [`${reg.host}/multi@${index}`]);
    await ok(['pull', '--platform', 'linux/arm64', `${reg.host}/multi:v1`]);
    const armInfo = await inspect(`${reg.host}/multi:v1`);
    assert.equal(armInfo['Id'], arm.id);
    assert.equal(armInfo['Architecture'], 'arm64');
    const none = await dk(['pull', '--platform', 'linux/s390x', `${reg.host}/multi:v1`]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no matching manifest for linux\/s390x in the manifest list entries/);
  });

  it('a corrupt blob fails the pull, leaves nothing behind, and a retry succeeds once repaired', async () => {
    const image = await pushRawImage(reg.host, 'corrupt', 'v1', {
      layers: [{ entries: [{ name: 'data', content: randomBytes(200_000) }], compression: 'gzip' }],
    });
    const file = registryBlobPath(reg.storage, image.layerDigests[0] as string);
    const original = await readFile(file);
    const bad = Buffer.from(original);
    bad[Math.floor(bad.length / 2)] = (bad[Math.floor(bad.length / 2)] as number) ^ 0xff;
    await writeFile(file, bad);
    const before = await state();
    const pull = await dk(['pull', `${reg.host}/corrupt:v1`]);
    assert.equal(pull.code, 1, pull.stdout);
    assert.match(
      pull.stderr,
      new RegExp(`filesystem layer verification failed for digest ${image.layerDigests[0]}`),
    );
    assert.deepEqual(await state(), before);
    await writeFile(file, original);
    await ok(['pull', `${reg.host}/corrupt:v1`]);
    assert.equal((await inspect(`${reg.host}/corrupt:v1`))['Id'], image.id);
  });

  it('a registry that dies mid-transfer: retried after 5 s; with one attempt allowed, the pull fails cleanly', async () => {
    const image = await pushRawImage(reg.host, 'dies', 'v1', {
      layers: [
        { entries: [{ name: 'a', content: randomBytes(3_000_000) }], compression: 'none' },
        { entries: [{ name: 'b', content: randomBytes(3_000_000) }], compression: 'none' },
      ],
    });
    const ref = `${proxy.host}/dies:v1`;
    const before = await state();
    const reload = async (config: Record<string, unknown>): Promise<void> => {
      const reloads = (): number => d.log().split('msg="Reloaded configuration"').length;
      const before = reloads();
      await writeFile(d.configFile, JSON.stringify(config));
      d.process.kill('SIGHUP');
      await waitFor('the reload', () => Promise.resolve(reloads() > before));
    };
    await reload({ 'max-download-attempts': 1 });
    try {
      proxy.arm(`GET /v2/dies/blobs/${image.layerDigests[1]}`, 1_000_000);
      const pull = await dk(['pull', ref]);
      assert.equal(pull.code, 1, pull.stdout);
      assert.equal(proxy.cuts, 1);
      assert.match(
        pull.stderr,
        new RegExp(`failed to download layer ${image.layerDigests[1]}: unexpected EOF`),
      );
      assert.deepEqual(await state(), before);
    } finally {
      await reload({ 'max-download-attempts': 5 });
    }
    // The default, 5 attempts: the cut one is tried again after Docker's 5 s.
    proxy.arm(`GET /v2/dies/blobs/${image.layerDigests[1]}`, 1_000_000);
    const started = Date.now();
    const again = await docker(d.host, ['pull', ref], { timeoutMs: 60_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(proxy.cuts, 2);
    assert.ok(Date.now() - started >= 5000, 'waited before the retry');
    const layer = (image.layerDigests[1] as string).slice(7, 19);
    for (const s of ['5 seconds', '4 seconds', '1 second'])
      assert.match(again.stdout, new RegExp(`^${layer}: Retrying in ${s}$`, 'm'));
    assert.match(again.stdout, new RegExp(`^Status: Downloaded newer image for ${ref}$`, 'm'));
    assert.equal((await inspect(ref))['Id'], image.id);
  });

  it('a client that goes away mid-pull cancels it and leaves nothing behind', async () => {
    const image = await pushRawImage(reg.host, 'cancel', 'v1', {
      layers: [
        { entries: [{ name: 'a', content: randomBytes(1_000_000) }], compression: 'none' },
        { entries: [{ name: 'b', content: randomBytes(2_000_000) }], compression: 'none' },
      ],
    });
    const before = await state();
    // The second blob stalls half-way; the client hangs up once the pull is under way.
    proxy.arm(`GET /v2/cancel/blobs/${image.layerDigests[1]}`, 1_000_000, 'stall');
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: d.socket,
          method: 'POST',
          path: `/images/create?fromImage=${proxy.host}/cancel&tag=v1`,
        },
        (res) => {
          let seen = '';
          res.on('data', (c: Buffer) => {
            seen += c.toString();
            if (seen.includes('Download complete')) {
              req.destroy();
              resolve();
            }
          });
          res.on('end', () => reject(new Error(`the pull ended on its own: ${seen}`)));
        },
      );
      req.on('error', () => undefined);
      req.end();
    });
    await waitFor(
      'the cancelled pull to clean up',
      async () => JSON.stringify(await state()) === JSON.stringify(before),
      20_000,
      200,
    );
    assert.equal((await dk(['version'])).code, 0);
    proxy.disarm();
  });

  it('errors: a missing manifest or repository is a 404 before the stream, bad names a 400', async () => {
    const missing = await dk(['pull', `${reg.host}/nosuch:v1`]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr.trim(),
      `Error response from daemon: manifest for ${reg.host}/nosuch:v1 not found: manifest unknown: manifest unknown`,
    );
    const api = await apiRequest(
      d.socket,
      'POST',
      `/images/create?fromImage=${reg.host}/nosuch&tag=v1`,
    );
    assert.equal(api.status, 404);
    const bad = await apiRequest(
      d.socket,
      'POST',
      `/images/create?fromImage=${reg.host}/UPPER&tag=v1`,
    );
    assert.equal(bad.status, 400);
    assert.match(messageOf(bad), /invalid reference format/);
    const badPlatform = await apiRequest(
      d.socket,
      'POST',
      `/images/create?fromImage=${reg.host}/bb&tag=1&platform=linux//`,
    );
    assert.equal(badPlatform.status, 400);
    await pushRawImage(reg.host, 'windows', 'v1', {
      os: 'windows',
      layers: [{ entries: [{ name: 'w', content: 'w' }], compression: 'gzip' }],
    });
    const before = await state();
    const windows = await dk(['pull', `${reg.host}/windows:v1`]);
    assert.equal(windows.code, 1);
    assert.match(
      windows.stderr,
      /image operating system "windows" cannot be used on this platform/,
    );
    assert.deepEqual(await state(), before);
    const push = await dk(['push', `${reg.host}/notlocal:1`]);
    assert.equal(push.code, 1);
    assert.match(
      push.stderr,
      new RegExp(`An image does not exist locally with the tag: ${reg.host}/notlocal`),
    );
    // A registry that is not there: the pull fails with the connection error, the daemon lives.
    const gone = await dk(['pull', '127.0.0.1:1/nothing:1']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /127\.0\.0\.1:1/);
    assert.equal((await dk(['version'])).code, 0);
    // A test daemon never reaches Docker Hub: an unqualified name fails at once.
    const hub = await dk(['pull', 'busybox:no-such-tag']);
    assert.equal(hub.code, 1);
    assert.match(hub.stderr, /refusing to contact registry docker\.io/);
  });

  it('docker run pulls an image it does not have', async () => {
    await ok(['rmi', '-f', `${reg.host}/bb:1`]);
    const r = await dk(['run', '--rm', `${reg.host}/bb:1`, 'echo', 'auto-pulled']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`Unable to find image '${reg.host}/bb:1' locally`));
    assert.match(r.stdout, /^auto-pulled$/m);
  });

  it('pull and push are reported as image events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['pull', `${reg.host}/bb:1`]);
    await ok(['push', `${reg.host}/bb:1`]);
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = await ok([
      'events',
      '--since',
      String(since),
      '--until',
      String(until),
      '--filter',
      'type=image',
      '--format',
      '{{.Action}} {{.Actor.ID}}',
    ]);
    assert.match(events, new RegExp(`^pull ${reg.host}/bb:1$`, 'm'));
    assert.match(events, new RegExp(`^push ${reg.host}/bb:1$`, 'm'));
  });
});
