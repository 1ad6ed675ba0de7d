// The spec buildOciSpec writes is one runc runs: a busybox bundle, Docker's defaults (with the
// host's seccomp profile when there is one), a new network namespace and a cgroup of its own.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_CAPABILITIES } from '../../../src/core/runtime/capabilities.js';
import { buildOciSpec, type ContainerSpecInput } from '../../../src/core/runtime/oci-spec.js';
import { loadSeccompProfile, seccompForContainer } from '../../../src/core/runtime/seccomp.js';
import { resolveUser } from '../../../src/core/runtime/user.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

const HOST_PROFILE = '/usr/share/containers/seccomp.json';
const CGROUP_ROOT = '/sys/fs/cgroup';

function hasRunc(): boolean {
  try {
    execFileSync('runc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = process.getuid?.() !== 0 ? 'needs root' : !hasRunc() ? 'runc is not installed' : false;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, killing it (by its PID) after `timeoutMs`. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Extracts the single layer of the busybox docker-archive into `rootfs`. */
async function extractBusybox(work: string, rootfs: string): Promise<void> {
  const image = join(work, 'image');
  await mkdir(image);
  await mkdir(rootfs);
  execFileSync('tar', ['-x', '-f', busyboxArchive(), '-C', image]);
  const manifest = JSON.parse(readFileSync(join(image, 'manifest.json'), 'utf8')) as {
    Layers: string[];
  }[];
  const layer = manifest[0]?.Layers[0];
  assert.ok(layer, 'the archive has a layer');
  execFileSync('tar', ['-x', '-f', join(image, layer), '-C', rootfs]);
}

/** Removes the container's cgroup from every v1 hierarchy (and a v2 one), children first. */
async function removeCgroup(path: string): Promise<void> {
  const dirs = [join(CGROUP_ROOT, path)];
  for (const name of await readdir(CGROUP_ROOT).catch(() => [] as string[])) {
    dirs.push(join(CGROUP_ROOT, name, path));
  }
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    await rmdir(dir).catch(() => undefined);
  }
}

type Overrides = Partial<Omit<ContainerSpecInput, 'process'>> & {
  user?: string;
  capabilities?: readonly string[];
};

/** Builds a busybox bundle for `args`, runs it with `runc run` and cleans everything up. */
async function runBusybox(args: string[], overrides: Overrides = {}): Promise<Result> {
  const suffix = randomBytes(6).toString('hex');
  const id = `berth-test-${suffix}`;
  const cgroupsPath = `/berth-test-${suffix}`;
  const work = await mkdtemp(join(tmpdir(), 'berth-oci-runc-'));
  const bundle = join(work, 'bundle');
  try {
    await mkdir(bundle);
    const rootfs = join(bundle, 'rootfs');
    await extractBusybox(work, rootfs);
    const { user: userSpec = '', capabilities = DEFAULT_CAPABILITIES, ...rest } = overrides;
    const user = resolveUser(
      userSpec,
      readFileSync(join(rootfs, 'etc/passwd'), 'utf8'),
      readFileSync(join(rootfs, 'etc/group'), 'utf8'),
    );
    const seccomp = existsSync(HOST_PROFILE)
      ? seccompForContainer(loadSeccompProfile(readFileSync(HOST_PROFILE, 'utf8')), {
          capabilities,
          arch: process.arch === 'x64' ? 'x86_64' : process.arch,
          kernelVersion: release(),
        })
      : undefined;
    const spec = buildOciSpec({
      id,
      rootfsPath: rootfs,
      readonlyRootfs: false,
      process: {
        args,
        env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        user,
        tty: false,
        noNewPrivileges: false,
        capabilities,
      },
      hostname: suffix,
      namespaces: { network: { mode: 'new' }, pid: 'new', ipc: 'new', uts: 'new', cgroup: 'host' },
      extraMounts: [],
      devices: [],
      sysctls: {},
      resources: {},
      cgroupsPath,
      privileged: false,
      seccomp,
      ...rest,
    });
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
    return await run('runc', ['run', '--bundle', bundle, id], 60_000);
  } finally {
    await run('runc', ['delete', '-f', id], 30_000).catch(() => undefined);
    await removeCgroup(cgroupsPath);
    await rm(work, { recursive: true, force: true });
  }
}

describe('buildOciSpec with runc', { skip }, () => {
  it('runs busybox with the default spec and reports its exit code', async () => {
    const result = await runBusybox(['/bin/sh', '-c', 'echo hello; exit 3']);
    assert.equal(result.stdout, 'hello\n', result.stderr);
    assert.equal(result.code, 3, result.stderr);
  });

  it('applies the user, a read-only root, masked paths, seccomp and resources', async () => {
    const script = [
      'id -u; id -g',
      'touch /x 2>/dev/null || echo ro-root',
      'echo ok > /dev/shm/x && echo shm-rw',
      'cat /proc/kcore 2>/dev/null | head -c1 | wc -c',
      'hostname',
    ].join('; ');
    const result = await runBusybox(['/bin/sh', '-c', script], {
      user: 'nobody',
      readonlyRootfs: true,
      hostname: 'spec-test',
      resources: { memory: 64 * 1024 * 1024, pidsLimit: 50, nanoCpus: 500_000_000 },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      '65534',
      '65534',
      'ro-root',
      'shm-rw',
      '0',
      'spec-test',
    ]);
  });
});
