// A container's mounts as the engine keeps them, and the parsers that make them from a create
// request: `-v`/`Binds` strings, `--mount`/`Mounts` objects, `--volumes-from` specs and tmpfs
// destinations, with Docker's rules and wording (moby's linux mount parser, measured).

import { invalidArgument } from '../errors.js';
import { cleanPath } from '../../lib/scoped-fs/go-path.js';

export type MountType = 'bind' | 'volume' | 'tmpfs';

/** Options of a volume that a `--mount type=volume` creates (labels, driver options). */
export interface VolumeCreateOptions {
  readonly labels?: Readonly<Record<string, string>>;
  readonly driverOptions?: Readonly<Record<string, string>>;
}

/** One mount of a container (Docker's MountPoint). */
export interface MountPoint {
  readonly type: MountType;
  /** Inside the container, cleaned. */
  readonly destination: string;
  /** A bind's host path; '' for volumes (their path comes from the volume) and tmpfs. */
  readonly source: string;
  /** A volume's name; '' for an anonymous volume not made yet. */
  readonly name: string;
  readonly driver: string;
  /** The mode as given (`ro`, `rw,z`, ...); Docker shows it in inspect. */
  readonly mode: string;
  readonly rw: boolean;
  /** A bind's propagation (`rprivate` unless given); '' for volumes and tmpfs. */
  readonly propagation: string;
  /** Copy the image's content at the destination into an empty volume (not `nocopy`). */
  readonly copyData: boolean;
  /** The request named no volume: this container's own, removed with `rm -v` and `--rm`. */
  readonly anonymous: boolean;
  /** A `-v` bind: a missing source directory is created (a `--mount` bind must exist). */
  readonly createSource: boolean;
  /** A tmpfs mount's options (`size=64m,mode=1770`). */
  readonly tmpfsData: string;
  readonly volumeOptions?: VolumeCreateOptions;
}

const RW_MODES = new Set(['rw', 'ro', 'ro-non-recursive', 'ro-force-recursive', 'rro']);
const READ_ONLY_MODES = new Set(['ro', 'ro-non-recursive', 'ro-force-recursive', 'rro']);
const LABEL_MODES = new Set(['z', 'Z']);
export const PROPAGATION_MODES = new Set([
  'private',
  'rprivate',
  'slave',
  'rslave',
  'shared',
  'rshared',
]);
const COPY_MODES = new Set(['nocopy']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);
const DEFAULT_PROPAGATION = 'rprivate';

/** Docker's check of a mode string: known words, at most one of each kind. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(',')) {
    const kind = [
      RW_MODES,
      LABEL_MODES,
      PROPAGATION_MODES,
      COPY_MODES,
      CONSISTENCY_MODES,
    ].findIndex((set) => set.has(o));
    if (kind === -1) return false;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts.every((n) => n <= 1);
}

function modeWords(mode: string): string[] {
  return mode === '' ? [] : mode.split(',');
}

function invalidSpec(raw: string): string {
  return `invalid volume specification: '${raw}'`;
}

function mountConfigError(type: string, reason: string): Error {
  return invalidArgument(`invalid mount config for type "${type}": ${reason}`);
}

/** The checks of a destination every mount type shares; undefined when it is fine. */
function targetProblem(target: string): string | undefined {
  if (target === '') return 'field Target must not be empty';
  if (cleanPath(target) === '/') return "invalid specification: destination can't be '/'";
  if (!target.startsWith('/')) return `invalid mount path: '${target}' mount path must be absolute`;
  return undefined;
}

/** A `--tmpfs` destination (HostConfig.Tmpfs key): absolute, not `/`. */
export function validateTmpfsDestination(destination: string): void {
  if (cleanPath(destination) === '/')
    throw invalidArgument("invalid specification: destination can't be '/'");
  if (!destination.startsWith('/'))
    throw invalidArgument(`invalid mount path: '${destination}' mount path must be absolute`);
}

/**
 * A `-v`/`Binds` entry: `dest` (anonymous volume), `src:dest[:mode]` where an absolute src is a
 * bind and anything else names a volume.
 */
export function parseBind(raw: string): MountPoint {
  const parts = splitN(raw, ':', 4);
  if (parts[0] === '') throw invalidArgument(invalidSpec(raw));
  let source = '';
  let target: string;
  let mode = '';
  switch (parts.length) {
    case 1:
      target = parts[0] as string;
      break;
    case 2:
      // `dest:mode` is not a volume: volumes without a source take no mode.
      if (validMountMode(parts[1] as string)) throw invalidArgument(invalidSpec(raw));
      source = parts[0] as string;
      target = parts[1] as string;
      break;
    case 3:
      source = parts[0] as string;
      target = parts[1] as string;
      mode = parts[2] as string;
      break;
    default:
      throw invalidArgument(invalidSpec(raw));
  }
  if (!validMountMode(mode)) throw invalidArgument(`invalid mode: ${mode}`);
  const type: MountType = source.startsWith('/') ? 'bind' : 'volume';
  const words = modeWords(mode);
  const propagation = words.find((w) => PROPAGATION_MODES.has(w));
  const problem =
    targetProblem(target) ??
    (type === 'volume' && propagation !== undefined
      ? 'field BindOptions must not be specified'
      : undefined);
  if (problem !== undefined)
    throw invalidArgument(
      `${invalidSpec(raw)}: invalid mount config for type "${type}": ${problem}`,
    );
  return {
    type,
    destination: cleanPath(target),
    source: type === 'bind' ? cleanPath(source) : '',
    name: type === 'volume' ? source : '',
    driver: type === 'volume' ? 'local' : '',
    mode,
    rw: !words.some((w) => READ_ONLY_MODES.has(w)),
    propagation: type === 'bind' ? (propagation ?? DEFAULT_PROPAGATION) : '',
    copyData: !words.includes('nocopy'),
    anonymous: type === 'volume' && source === '',
    createSource: type === 'bind',
    tmpfsData: '',
  };
}

/** Go's strings.SplitN. */
function splitN(text: string, sep: string, n: number): string[] {
  const parts = text.split(sep);
  if (parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

type Json = Record<string, unknown>;

function field<T>(
  o: Json | undefined,
  key: string,
  path: string,
  kind: 'string' | 'boolean' | 'number' | 'object',
): T | undefined {
  const v = o?.[key];
  if (v === undefined || v === null) return undefined;
  const ok = kind === 'object' ? typeof v === 'object' && !Array.isArray(v) : typeof v === kind;
  if (!ok) {
    const got = Array.isArray(v) ? 'array' : typeof v;
    throw invalidArgument(`invalid JSON: field ${path}.${key} must be a ${kind}, got ${got}`);
  }
  return v as T;
}

function stringMap(
  o: Json | undefined,
  key: string,
  path: string,
): Record<string, string> | undefined {
  const m = field<Json>(o, key, path, 'object');
  if (m === undefined) return undefined;
  for (const [k, v] of Object.entries(m))
    if (typeof v !== 'string')
      throw invalidArgument(`invalid JSON: field ${path}.${key}.${k} must be a string`);
  return m as Record<string, string>;
}

/**
 * A `--mount`/`Mounts[i]` object. `exists` answers whether a bind source is on the host (a
 * missing one is an error unless CreateMountpoint).
 */
export function parseMount(
  value: unknown,
  index: number,
  exists: (path: string) => boolean,
): MountPoint {
  const path = `HostConfig.Mounts[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidArgument(`invalid JSON: field ${path} must be an object`);
  const o = value as Json;
  const type = field<string>(o, 'Type', path, 'string') ?? '';
  const source = field<string>(o, 'Source', path, 'string') ?? '';
  const target = field<string>(o, 'Target', path, 'string') ?? '';
  const readOnly = field<boolean>(o, 'ReadOnly', path, 'boolean') ?? false;
  const bind = field<Json>(o, 'BindOptions', path, 'object');
  const volume = field<Json>(o, 'VolumeOptions', path, 'object');
  const tmpfs = field<Json>(o, 'TmpfsOptions', path, 'object');
  const fail = (reason: string): never => {
    throw mountConfigError(type, reason);
  };
  const targetIssue = targetProblem(target);
  if (targetIssue !== undefined) fail(targetIssue);
  const base = {
    destination: cleanPath(target),
    mode: '',
    rw: !readOnly,
    createSource: false,
    tmpfsData: '',
  };
  switch (type) {
    case 'bind': {
      if (source === '') fail('field Source must not be empty');
      const propagation = field<string>(bind, 'Propagation', `${path}.BindOptions`, 'string') ?? '';
      if (propagation !== '' && !PROPAGATION_MODES.has(propagation))
        fail(`invalid propagation mode: ${propagation}`);
      if (volume) fail('field VolumeOptions must not be specified');
      if (!source.startsWith('/'))
        fail(`invalid mount path: '${source}' mount path must be absolute`);
      const create =
        field<boolean>(bind, 'CreateMountpoint', `${path}.BindOptions`, 'boolean') ?? false;
      if (!create && !exists(source)) fail(`bind source path does not exist: ${source}`);
      return {
        ...base,
        type,
        source: cleanPath(source),
        name: '',
        driver: '',
        propagation: propagation || DEFAULT_PROPAGATION,
        copyData: false,
        anonymous: false,
        createSource: create,
      };
    }
    case 'volume': {
      if (bind) fail('field BindOptions must not be specified');
      const anonymous = source === '';
      const subpath = field<string>(volume, 'Subpath', `${path}.VolumeOptions`, 'string') ?? '';
      if (subpath !== '') fail('volume subpaths are not supported by berth');
      if (readOnly && anonymous) fail('must not set ReadOnly mode when using anonymous volumes');
      const driverConfig = field<Json>(volume, 'DriverConfig', `${path}.VolumeOptions`, 'object');
      const driver =
        field<string>(driverConfig, 'Name', `${path}.VolumeOptions.DriverConfig`, 'string') ||
        'local';
      const labels = stringMap(volume, 'Labels', `${path}.VolumeOptions`);
      const driverOptions = stringMap(
        driverConfig,
        'Options',
        `${path}.VolumeOptions.DriverConfig`,
      );
      return {
        ...base,
        type,
        source: '',
        name: source,
        driver,
        propagation: '',
        copyData: !(field<boolean>(volume, 'NoCopy', `${path}.VolumeOptions`, 'boolean') ?? false),
        anonymous,
        ...(labels || driverOptions
          ? { volumeOptions: { labels: labels ?? {}, driverOptions: driverOptions ?? {} } }
          : {}),
      };
    }
    case 'tmpfs': {
      if (bind) fail('field BindOptions must not be specified');
      if (source !== '') fail('field Source must not be specified');
      return {
        ...base,
        type,
        source: '',
        name: '',
        driver: '',
        propagation: '',
        copyData: false,
        anonymous: false,
        tmpfsData: tmpfsData(tmpfs, readOnly, `${path}.TmpfsOptions`, fail),
      };
    }
    default:
      return fail('mount type unknown');
  }
}

/** Docker's ConvertTmpfsOptions: `ro`, `mode=<octal>`, `size=<n>[kmg]`, then exec/noexec. */
function tmpfsData(
  options: Json | undefined,
  readOnly: boolean,
  path: string,
  fail: (reason: string) => never,
): string {
  const out: string[] = [];
  if (readOnly) out.push('ro');
  const mode = field<number>(options, 'Mode', path, 'number') ?? 0;
  if (mode !== 0) out.push(`mode=${(mode & 0o7777).toString(8)}`);
  const size = field<number>(options, 'SizeBytes', path, 'number') ?? 0;
  if (size < 0) fail('size must not be negative');
  if (size !== 0) out.push(`size=${sizeWithSuffix(size)}`);
  const raw = options?.['Options'];
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) fail('invalid option array length');
    for (const opt of raw as unknown[]) {
      if (!Array.isArray(opt) || opt.length < 1 || opt.length > 2)
        fail('invalid option array length');
      const [key, value] = opt as unknown[];
      if (key !== 'exec' && key !== 'noexec') fail(`invalid option: ${String(key)}`);
      out.push(value === undefined ? String(key) : `${String(key)}=${String(value)}`);
    }
  }
  return out.join(',');
}

function sizeWithSuffix(size: number): string {
  for (const [suffix, divisor] of [
    ['g', 1 << 30],
    ['m', 1 << 20],
    ['k', 1 << 10],
  ] as const) {
    if (size % divisor === 0) return `${size / divisor}${suffix}`;
  }
  return String(size);
}

/** A `--volumes-from` entry: `container[:ro|rw]` (no propagation, no copy mode). */
export function parseVolumesFrom(spec: string): { container: string; rw: boolean } {
  if (spec === '') throw invalidArgument('volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  const container = colon === -1 ? spec : spec.slice(0, colon);
  const mode = colon === -1 ? '' : spec.slice(colon + 1);
  if (mode === '') return { container, rw: true };
  const words = modeWords(mode);
  if (!validMountMode(mode) || words.some((w) => PROPAGATION_MODES.has(w) || COPY_MODES.has(w)))
    throw invalidArgument(`invalid mode: ${mode}`);
  return { container, rw: !words.some((w) => READ_ONLY_MODES.has(w)) };
}

/** Two mounts (or a mount and a --tmpfs) on one destination. */
export function duplicateMountPoint(destination: string): Error {
  return invalidArgument(`Duplicate mount point: ${destination}`);
}
