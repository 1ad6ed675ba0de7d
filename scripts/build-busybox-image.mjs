// Builds busybox:latest as a docker-archive from Debian's busybox-static, offline:
//   node scripts/build-busybox-image.mjs [output.tar]   (default: dist/images/busybox.tar)
// The result is deterministic for one busybox-static version (times come from the binary).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const output = resolve(process.argv[2] ?? join(root, 'dist/images/busybox.tar'));
const BUSYBOX = '/bin/busybox';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'busybox-static'], {
  encoding: 'utf8',
}).trim();
const mtime = Math.floor(statSync(BUSYBOX).mtimeMs / 1000);
const created = new Date(mtime * 1000).toISOString();

const work = mkdtempSync(join(tmpdir(), 'berth-busybox-'));
try {
  const rootfs = join(work, 'rootfs');
  for (const dir of [
    'bin',
    'sbin',
    'usr/bin',
    'usr/sbin',
    'etc',
    'root',
    'tmp',
    'home',
    'var',
    'proc',
    'sys',
    'dev',
  ]) {
    mkdirSync(join(rootfs, dir), { recursive: true, mode: 0o755 });
  }
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  chmodSync(join(rootfs, 'root'), 0o700);
  writeFileSync(join(rootfs, 'bin/busybox'), readFileSync(BUSYBOX), { mode: 0o755 });
  const applets = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  for (const applet of applets) {
    const path = join(rootfs, applet);
    if (applet === 'bin/busybox') continue;
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync('/bin/busybox', path);
  }
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
  );
  writeFileSync(
    join(rootfs, 'etc/group'),
    'root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nusers:x:100:\nnogroup:x:65534:\n',
  );

  const layer = join(work, 'layer.tar');
  execFileSync('tar', [
    '--sort=name',
    `--mtime=@${mtime}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '-C',
    rootfs,
    '-cf',
    layer,
    '.',
  ]);
  const diffId = sha256(readFileSync(layer));
  const config = JSON.stringify({
    architecture: 'amd64',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['sh'],
    },
    created,
    history: [
      { created, created_by: `berth: busybox-static ${version} from Debian` },
      { created, created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    ],
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
  });
  const configId = sha256(config);
  const archive = join(work, 'archive');
  mkdirSync(join(archive, diffId), { recursive: true });
  execFileSync('mv', [layer, join(archive, diffId, 'layer.tar')]);
  writeFileSync(join(archive, `${configId}.json`), config);
  writeFileSync(
    join(archive, 'manifest.json'),
    JSON.stringify([
      { Config: `${configId}.json`, RepoTags: ['busybox:latest'], Layers: [`${diffId}/layer.tar`] },
    ]),
  );
  writeFileSync(join(archive, 'repositories'), JSON.stringify({ busybox: { latest: diffId } }));
  mkdirSync(dirname(output), { recursive: true });
  execFileSync('tar', [
    '--sort=name',
    `--mtime=@${mtime}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    archive,
    '-cf',
    output,
    '.',
  ]);
  console.log(
    `${output}: busybox:latest sha256:${configId} (busybox-static ${version}, ${applets.length} applets)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
