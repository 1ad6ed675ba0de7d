import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { goArch } from '../../lib/arch.js';
import { hasErrno } from '../errors.js';

export type CgroupVersion = '1' | '2';

export interface HostInfo {
  readonly hostname: string;
  readonly kernelVersion: string;
  readonly operatingSystem: string;
  readonly osVersion: string;
  readonly osType: 'linux';
  /** `uname -m` (x86_64). */
  readonly machine: string;
  /** Go's GOARCH naming (amd64), as the Engine API reports it. */
  readonly goArch: string;
  readonly ncpu: number;
  readonly memTotal: number;
  readonly cgroupVersion: CgroupVersion;
  /** v1 controllers mounted beside a v2 hierarchy (systemd's "hybrid" layout). */
  readonly cgroupHybrid: boolean;
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2] as string;
    if (/^".*"$/.test(value) || /^'.*'$/.test(value)) value = value.slice(1, -1);
    out[m[1] as string] = value;
  }
  return out;
}

export function detectCgroups(root = '/sys/fs/cgroup'): {
  version: CgroupVersion;
  hybrid: boolean;
} {
  if (existsSync(`${root}/cgroup.controllers`)) return { version: '2', hybrid: false };
  return { version: '1', hybrid: existsSync(`${root}/unified`) };
}

function readOsRelease(): Record<string, string> {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return parseOsRelease(readFileSync(path, 'utf8'));
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
    }
  }
  return {};
}

export function readHostInfo(): HostInfo {
  const release = readOsRelease();
  const cgroups = detectCgroups();
  const machine = os.machine();
  return {
    hostname: os.hostname(),
    kernelVersion: os.release(),
    operatingSystem: release['PRETTY_NAME'] ?? 'Linux',
    osVersion: release['VERSION_ID'] ?? '',
    osType: 'linux',
    machine,
    goArch: goArch(machine),
    ncpu: os.availableParallelism(),
    memTotal: os.totalmem(),
    cgroupVersion: cgroups.version,
    cgroupHybrid: cgroups.hybrid,
  };
}
