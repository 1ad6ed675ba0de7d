// Docker-format seccomp profiles (moby profiles/seccomp; the format of
// /usr/share/containers/seccomp.json and of `--security-opt seccomp=<file>`) and their
// conversion into the OCI `linux.seccomp` object for one container, as moby's setupSeccomp
// does it: the host architecture picks the archMap entry, and each rule's includes/excludes
// (capabilities, architectures, minimum kernel) decide whether it applies.

import { goArch } from '../../lib/arch.js';
import { BerthError } from '../errors.js';
import type {
  LinuxSeccomp,
  LinuxSeccompArg,
  LinuxSyscall,
  SeccompAction,
  SeccompOperator,
} from './oci-types.js';

/** Conditions of a profile rule. Arches are libseccomp's short names (`amd64`, `x86`, `arm64`). */
export interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  /** `major.minor`. */
  minKernel?: string;
}

export interface SeccompProfileSyscall {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

export interface SeccompArchMap {
  architecture: string;
  subArchitectures: string[];
}

/** A validated Docker-format seccomp profile. */
export interface SeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: SeccompArchMap[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls: SeccompProfileSyscall[];
}

/** What a profile is applied for. */
export interface SeccompTarget {
  /** The container's bounding capabilities (`CAP_*`), as effectiveCapabilities returns them. */
  capabilities: readonly string[];
  /** The host machine, as `uname -m` (x86_64) or Go's GOARCH (amd64) names it. */
  arch: string;
  /** The host kernel release, as `uname -r` prints it (`6.1.0-18-amd64`). */
  kernelVersion: string;
  /**
   * Architectures (`SCMP_ARCH_*`) whose system calls the kernel cannot run, left out of the
   * filter: such calls fail either way, and each architecture in a filter costs runc time on
   * every create and exec (compiling x32 is ~20 ms of a `runc exec` here).
   */
  unusableArches?: readonly string[];
}

const ACTIONS: readonly SeccompAction[] = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
];

const OPERATORS: readonly SeccompOperator[] = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
];

/** Go's GOARCH → libseccomp's short name (moby's goToNative). */
const GO_TO_NATIVE: Record<string, string> = {
  '386': 'x86',
  amd64: 'amd64',
  arm: 'arm',
  arm64: 'arm64',
  mips64: 'mips64',
  mips64p32: 'mips64n32',
  mips64le: 'mipsel64',
  mips64p32le: 'mips3l64n32',
  mipsle: 'mipsel',
  ppc: 'ppc',
  ppc64: 'ppc64',
  ppc64le: 'ppc64le',
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
};

/** libseccomp's short name → the SCMP_ARCH constant (moby's nativeToSeccomp). */
const NATIVE_TO_SECCOMP: Record<string, string> = {
  x86: 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mips3l64n32: 'SCMP_ARCH_MIPSEL64N32',
  mipsle: 'SCMP_ARCH_MIPSEL',
  ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
};

/** libseccomp's short name for a machine (`x86_64` and `amd64` → `amd64`, `i686` → `x86`). */
export function seccompNativeArch(machine: string): string {
  const go = machine === 'i386' ? '386' : goArch(machine);
  return GO_TO_NATIVE[go] ?? go;
}

function invalid(path: string, problem: string): BerthError {
  return new BerthError('invalid-argument', `invalid seccomp profile: ${path}: ${problem}`);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(o: Json, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`${path}${key}`, 'expected a string');
  return v;
}

function optStrings(o: Json, key: string, path: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw invalid(`${path}${key}`, 'expected an array of strings');
  }
  return v as string[];
}

function optUint(o: Json, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw invalid(`${path}${key}`, 'expected a non-negative integer');
  }
  return v;
}

function action(o: Json, key: string, path: string): SeccompAction {
  const v = o[key];
  if (typeof v !== 'string' || !(ACTIONS as readonly string[]).includes(v)) {
    throw invalid(`${path}${key}`, `unknown action ${JSON.stringify(v ?? null)}`);
  }
  return v as SeccompAction;
}

/** moby's KernelVersion: `major.minor`, anything after is ignored (`Sscanf("%d.%d")`). */
function parseKernel(text: string): [number, number] | undefined {
  const m = /^\s*(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function filter(o: Json, key: string, path: string): SeccompFilter | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalid(`${path}${key}`, 'expected an object');
  const at = `${path}${key}.`;
  const out: SeccompFilter = {};
  const caps = optStrings(v, 'caps', at);
  const arches = optStrings(v, 'arches', at);
  const minKernel = optString(v, 'minKernel', at);
  if (caps?.length) out.caps = caps;
  if (arches?.length) out.arches = arches;
  if (minKernel) {
    if (!parseKernel(minKernel)) {
      throw invalid(`${at}minKernel`, `improper kernel version format: ${minKernel}`);
    }
    out.minKernel = minKernel;
  }
  return out;
}

function arg(v: unknown, path: string): LinuxSeccompArg {
  if (!isObject(v)) throw invalid(path, 'expected an object');
  const index = optUint(v, 'index', `${path}.`);
  const value = optUint(v, 'value', `${path}.`);
  const valueTwo = optUint(v, 'valueTwo', `${path}.`);
  const op = v['op'];
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) {
    throw invalid(`${path}.op`, `unknown operator ${JSON.stringify(op ?? null)}`);
  }
  const out: LinuxSeccompArg = { index: index ?? 0, value: value ?? 0, op: op as SeccompOperator };
  if (valueTwo) out.valueTwo = valueTwo;
  return out;
}

function syscall(v: unknown, path: string): SeccompProfileSyscall {
  if (!isObject(v)) throw invalid(path, 'expected an object');
  const at = `${path}.`;
  const name = optString(v, 'name', at);
  let names = optStrings(v, 'names', at) ?? [];
  if (name) {
    if (names.length > 0) {
      throw invalid(path, "'name' and 'names' were specified, use either 'name' or 'names'");
    }
    names = [name];
  }
  if (names.length === 0) throw invalid(`${at}names`, 'no syscall names');
  const out: SeccompProfileSyscall = { names, action: action(v, 'action', at) };
  const errnoRet = optUint(v, 'errnoRet', at);
  if (errnoRet !== undefined) out.errnoRet = errnoRet;
  const args = v['args'];
  if (args !== undefined && args !== null) {
    if (!Array.isArray(args)) throw invalid(`${at}args`, 'expected an array');
    if (args.length > 0) out.args = args.map((a, i) => arg(a, `${at}args[${i}]`));
  }
  const includes = filter(v, 'includes', at);
  const excludes = filter(v, 'excludes', at);
  if (includes) out.includes = includes;
  if (excludes) out.excludes = excludes;
  return out;
}

/**
 * Parses and validates a Docker-format seccomp profile (JSON text). Problems are
 * invalid-argument errors naming the field (`invalid seccomp profile: syscalls[3].action: ...`).
 */
export function loadSeccompProfile(text: string): SeccompProfile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BerthError(
      'invalid-argument',
      `Decoding seccomp profile failed: ${(err as Error).message}`,
    );
  }
  if (!isObject(doc)) throw invalid('(root)', 'expected an object');
  const profile: SeccompProfile = { defaultAction: action(doc, 'defaultAction', ''), syscalls: [] };
  const defaultErrnoRet = optUint(doc, 'defaultErrnoRet', '');
  if (defaultErrnoRet !== undefined) profile.defaultErrnoRet = defaultErrnoRet;
  const architectures = optStrings(doc, 'architectures', '');
  if (architectures?.length) profile.architectures = architectures;
  const archMap = doc['archMap'];
  if (archMap !== undefined && archMap !== null) {
    if (!Array.isArray(archMap)) throw invalid('archMap', 'expected an array');
    profile.archMap = archMap.map((a, i) => {
      if (!isObject(a)) throw invalid(`archMap[${i}]`, 'expected an object');
      const architecture = optString(a, 'architecture', `archMap[${i}].`);
      if (!architecture) throw invalid(`archMap[${i}].architecture`, 'missing');
      return {
        architecture,
        subArchitectures: optStrings(a, 'subArchitectures', `archMap[${i}].`) ?? [],
      };
    });
  }
  if (profile.architectures && profile.archMap?.length) {
    throw invalid(
      '(root)',
      "'architectures' and 'archMap' were specified, use either 'architectures' or 'archMap'",
    );
  }
  const flags = optStrings(doc, 'flags', '');
  if (flags?.length) profile.flags = flags;
  const listenerPath = optString(doc, 'listenerPath', '');
  if (listenerPath) profile.listenerPath = listenerPath;
  const listenerMetadata = optString(doc, 'listenerMetadata', '');
  if (listenerMetadata) profile.listenerMetadata = listenerMetadata;
  const syscalls = doc['syscalls'];
  if (syscalls !== undefined && syscalls !== null) {
    if (!Array.isArray(syscalls)) throw invalid('syscalls', 'expected an array');
    profile.syscalls = syscalls.map((s, i) => syscall(s, `syscalls[${i}]`));
  }
  return profile;
}

function kernelAtLeast(host: [number, number], min: string): boolean {
  const want = parseKernel(min);
  if (!want) return false;
  return host[0] > want[0] || (host[0] === want[0] && host[1] >= want[1]);
}

/** Whether a profile rule applies to the target (moby's setupSeccomp filtering). */
function applies(
  call: SeccompProfileSyscall,
  native: string,
  caps: readonly string[],
  kernel: [number, number],
): boolean {
  const ex = call.excludes;
  if (ex) {
    if (ex.arches?.includes(native)) return false;
    if (ex.caps?.some((c) => caps.includes(c))) return false;
    if (ex.minKernel && kernelAtLeast(kernel, ex.minKernel)) return false;
  }
  const inc = call.includes;
  if (inc) {
    if (inc.arches && !inc.arches.includes(native)) return false;
    if (inc.caps && !inc.caps.every((c) => caps.includes(c))) return false;
    if (inc.minKernel && !kernelAtLeast(kernel, inc.minKernel)) return false;
  }
  return true;
}

/**
 * The OCI `linux.seccomp` for a container: the host's archMap entry (its architecture, then
 * its subArchitectures), and the rules whose includes/excludes match the container's
 * capabilities, the host architecture and the kernel. A rule applies when every included
 * capability is present and no excluded one is; arches and minKernel likewise. Returns
 * undefined for a profile with no default action and no rules (seccomp disabled, as Docker).
 */
export function seccompForContainer(
  profile: SeccompProfile,
  target: SeccompTarget,
): LinuxSeccomp | undefined {
  if (!profile.defaultAction && profile.syscalls.length === 0) return undefined;
  const native = seccompNativeArch(target.arch);
  const scmpArch = NATIVE_TO_SECCOMP[native];
  const kernel = parseKernel(target.kernelVersion);
  if (!kernel) {
    throw new BerthError('invalid-argument', `invalid kernel version: ${target.kernelVersion}`);
  }
  const out: LinuxSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const architectures = [...(profile.architectures ?? [])];
  const mapped = scmpArch ? profile.archMap?.find((a) => a.architecture === scmpArch) : undefined;
  if (mapped) architectures.push(mapped.architecture, ...mapped.subArchitectures);
  const usable = architectures.filter((a) => !target.unusableArches?.includes(a));
  if (usable.length > 0) out.architectures = usable;
  if (profile.flags) out.flags = [...profile.flags];
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) out.listenerMetadata = profile.listenerMetadata;
  const syscalls: LinuxSyscall[] = profile.syscalls
    .filter((call) => applies(call, native, target.capabilities, kernel))
    .map((call) => {
      const s: LinuxSyscall = { names: [...call.names], action: call.action };
      if (call.errnoRet !== undefined) s.errnoRet = call.errnoRet;
      if (call.args) s.args = call.args.map((a) => ({ ...a }));
      return s;
    });
  if (syscalls.length > 0) out.syscalls = syscalls;
  return out;
}
