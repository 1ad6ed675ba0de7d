// The options of `berth run` and `berth create` and the create body they make: the same body,
// key for key, as the Docker CLI 28 sends at API 1.41 (the daemon keeps HostConfig as sent, so
// `inspect` then shows what it shows for a container made by the Docker CLI).

import { ramInBytes } from '../lib/units.js';
import { isIP } from 'node:net';
import {
  FlagError,
  flagBool,
  flagInt,
  flagList,
  flagString,
  type FlagSpec,
  type ParsedFlags,
} from '../lib/flags.js';
import { RunError } from './errors.js';
import { parseMountFlag, splitVolumeFlags } from './mount-flag.js';
import { endpoint, NETWORK_FLAGS, networkBody } from './network-options.js';

export const CONTAINER_FLAGS: readonly FlagSpec[] = [
  { name: 'cap-add', type: 'list', help: 'Add Linux capabilities' },
  { name: 'cap-drop', type: 'list', help: 'Drop Linux capabilities' },
  { name: 'cpu-shares', short: 'c', type: 'int', help: 'CPU shares (relative weight)' },
  { name: 'cpus', type: 'string', placeholder: 'decimal', help: 'Number of CPUs' },
  {
    name: 'cpuset-cpus',
    type: 'string',
    help: 'CPUs in which to allow execution (0-3, 0,1)',
  },
  { name: 'domainname', type: 'string', help: 'Container NIS domain name' },
  { name: 'entrypoint', type: 'string', help: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
  { name: 'env-file', type: 'list', help: 'Read in a file of environment variables' },
  { name: 'expose', type: 'list', help: 'Expose a port or a range of ports' },
  { name: 'group-add', type: 'list', help: 'Add additional groups to join' },
  { name: 'hostname', short: 'h', type: 'string', help: 'Container host name' },
  {
    name: 'init',
    type: 'bool',
    help: 'Run an init inside the container that forwards signals and reaps processes',
  },
  { name: 'interactive', short: 'i', type: 'bool', help: 'Keep STDIN open even if not attached' },
  { name: 'label', short: 'l', type: 'list', help: 'Set meta data on a container' },
  { name: 'memory', short: 'm', type: 'string', placeholder: 'bytes', help: 'Memory limit' },
  {
    name: 'memory-swap',
    type: 'string',
    placeholder: 'bytes',
    help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
  },
  { name: 'name', type: 'string', help: 'Assign a name to the container' },
  {
    name: 'network',
    type: 'string',
    placeholder: 'network',
    help: 'Connect a container to a network',
  },
  { name: 'net', type: 'string', hidden: true, help: 'Connect a container to a network' },
  {
    name: 'pids-limit',
    type: 'int',
    help: 'Tune container pids limit (set -1 for unlimited)',
  },
  { name: 'privileged', type: 'bool', help: 'Give extended privileges to this container' },
  { name: 'device', type: 'list', help: 'Add a host device to the container' },
  {
    name: 'oom-score-adj',
    type: 'int',
    help: "Tune host's OOM preferences (-1000 to 1000)",
  },
  { name: 'publish', short: 'p', type: 'list', help: "Publish a container's port(s) to the host" },
  { name: 'read-only', type: 'bool', help: "Mount the container's root filesystem as read only" },
  {
    name: 'restart',
    type: 'string',
    default: 'no',
    help: 'Restart policy to apply when a container exits',
  },
  {
    name: 'rm',
    type: 'bool',
    help: 'Automatically remove the container and its associated anonymous volumes when it exits',
  },
  { name: 'security-opt', type: 'list', help: 'Security Options' },
  { name: 'shm-size', type: 'string', placeholder: 'bytes', help: 'Size of /dev/shm' },
  { name: 'stop-signal', type: 'string', help: 'Signal to stop the container' },
  { name: 'stop-timeout', type: 'int', help: 'Timeout (in seconds) to stop a container' },
  { name: 'sysctl', type: 'list', placeholder: 'map', help: 'Sysctl options' },
  { name: 'tmpfs', type: 'list', help: 'Mount a tmpfs directory' },
  { name: 'tty', short: 't', type: 'bool', help: 'Allocate a pseudo-TTY' },
  { name: 'ulimit', type: 'list', placeholder: 'ulimit', help: 'Ulimit options' },
  {
    name: 'user',
    short: 'u',
    type: 'string',
    help: 'Username or UID (format: <name|uid>[:<group|gid>])',
  },
  { name: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
  // Volumes (-v, --mount, --volumes-from).
  { name: 'volume', short: 'v', type: 'list', help: 'Bind mount a volume' },
  {
    name: 'mount',
    type: 'list',
    placeholder: 'mount',
    help: 'Attach a filesystem mount to the container',
  },
  { name: 'volumes-from', type: 'list', help: 'Mount volumes from the specified container(s)' },
  ...NETWORK_FLAGS,
];

/** `berth run` only. */
export const RUN_ONLY_FLAGS: readonly FlagSpec[] = [
  {
    name: 'detach',
    short: 'd',
    type: 'bool',
    help: 'Run container in background and print container ID',
  },
  {
    name: 'detach-keys',
    type: 'string',
    help: 'Override the key sequence for detaching a container',
  },
  { name: 'sig-proxy', type: 'bool', default: true, help: 'Proxy received signals to the process' },
];

export interface ContainerOptions {
  readonly image: string;
  readonly name: string | undefined;
  readonly body: Record<string, unknown>;
  readonly interactive: boolean;
  readonly tty: boolean;
  readonly autoRemove: boolean;
  readonly detachKeys: string;
}

export interface OptionsEnvironment {
  /** `run -d`: nothing is attached. */
  readonly detach: boolean;
  /** The client terminal's [rows, cols]; [0, 0] when stdout is not a terminal. */
  readonly consoleSize: readonly [number, number];
  /** For `-e NAME` and bare names in env files: the client's environment. */
  readonly env: NodeJS.ProcessEnv;
  readonly readFile: (path: string) => string;
  /** For `-v ./dir:/dest`: the client's working directory. */
  readonly cwd?: string;
}

/** A flag value the Docker CLI refuses while parsing: its message, exit 125. */
function invalidFlag(spec: string, value: string, reason: string): FlagError {
  return new FlagError(`invalid argument "${value}" for "${spec}" flag: ${reason}`);
}

function sizeFlag(flags: ParsedFlags, name: string, spec: string, swap = false): number {
  const text = flagString(flags, name);
  if (text === '') return 0;
  if (swap && text === '-1') return -1;
  const bytes = ramInBytes(text);
  if (bytes === undefined) throw invalidFlag(spec, text, `invalid size: '${text}'`);
  return bytes;
}

/** --cpus as nano CPUs, exactly (a decimal with at most 9 fractional digits). */
export function parseNanoCpus(text: string): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw invalidFlag('--cpus', text, `failed to parse ${text} as a rational number`);
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  if (fraction.length > 9) throw invalidFlag('--cpus', text, 'value is too precise');
  const nano = Number(m[2] || '0') * 1e9 + Number(fraction.padEnd(9, '0') || '0');
  return m[1] === '-' ? -nano : nano;
}

const ULIMIT_NAMES = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
];

function parseInt64(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

/** go-units ParseUlimit: `name=soft[:hard]`. */
export function parseUlimit(text: string): { Name: string; Hard: number; Soft: number } {
  const fail = (reason: string): FlagError => invalidFlag('--ulimit', text, reason);
  const eq = text.indexOf('=');
  if (eq === -1) throw fail(`invalid ulimit argument: ${text}`);
  const name = text.slice(0, eq);
  if (!ULIMIT_NAMES.includes(name)) throw fail(`invalid ulimit type: ${name}`);
  const values = text.slice(eq + 1).split(':');
  if (values.length > 2)
    throw fail(
      `too many limit value arguments - ${text.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``,
    );
  const numbers = values.map((v) => {
    const n = parseInt64(v);
    if (n === undefined) throw fail(`strconv.ParseInt: parsing "${v}": invalid syntax`);
    return n;
  });
  const soft = numbers[0] as number;
  const hard = numbers[1] ?? soft;
  if (hard !== -1 && soft > hard)
    throw fail(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Hard: hard, Soft: soft };
}

const SYSCTL_NAMES = [
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
];

function parseSysctl(text: string): [string, string] {
  const eq = text.indexOf('=');
  const key = text.slice(0, eq);
  if (
    eq === -1 ||
    !(SYSCTL_NAMES.includes(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.'))
  )
    throw invalidFlag('--sysctl', text, `sysctl '${text}' is not allowed`);
  return [key, text.slice(eq + 1)];
}

/** opts.ParseRestartPolicy: `name[:count]`; the daemon checks the name. */
export function parseRestartPolicy(text: string): { Name: string; MaximumRetryCount: number } {
  if (text === '') return { Name: '', MaximumRetryCount: 0 };
  const colon = text.indexOf(':');
  const name = colon === -1 ? text : text.slice(0, colon);
  const count = colon === -1 ? '' : text.slice(colon + 1);
  if (colon !== -1 && name === '')
    throw new RunError('invalid restart policy format: no policy provided before colon');
  let retries = 0;
  if (count !== '') {
    const n = parseInt64(count);
    if (n === undefined)
      throw new RunError('invalid restart policy format: maximum retry count must be an integer');
    retries = n;
  }
  return { Name: name, MaximumRetryCount: retries };
}

/** nat.ParsePortRange: `80` or `8000-8010`. */
function parsePortRange(text: string): [number, number] | undefined {
  const port = (t: string): number | undefined =>
    /^\d+$/.test(t) && Number(t) <= 65535 ? Number(t) : undefined;
  if (text === '') return undefined;
  if (!text.includes('-')) {
    const p = port(text);
    return p === undefined ? undefined : [p, p];
  }
  const [a = '', b = ''] = text.split('-');
  const start = port(a);
  const end = port(b);
  if (start === undefined || end === undefined || end < start) return undefined;
  return [start, end];
}

/** nat.SplitProtoPort: `80/udp` → ['udp', '80']; no protocol is tcp. */
function splitProtoPort(text: string): [string, string] {
  const parts = text.split('/');
  if (text === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', text];
  if (parts[1] === '') return ['tcp', parts[0] as string];
  return [parts[1] as string, parts[0] as string];
}

export interface PortMapping {
  readonly port: string;
  readonly binding: { HostIp: string; HostPort: string };
}

/** nat.ParsePortSpec: `[ip:][hostPort:]containerPort[/proto]`, ranges allowed. */
export function parsePortSpec(raw: string): PortMapping[] {
  const parts = raw.split(':');
  const n = parts.length;
  const last = parts[n - 1] as string;
  let ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
  const hostPort = n >= 2 ? (parts[n - 2] as string) : '';
  const [proto, containerPort] = splitProtoPort(last);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== '' && isIP(ip) === 0) throw new RunError(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new RunError(`no port specified: ${raw}<empty>`);
  const range = parsePortRange(containerPort);
  if (!range) throw new RunError(`invalid containerPort: ${containerPort}`);
  const [start, end] = range;
  let hostRange: [number, number] = [0, 0];
  if (hostPort !== '') {
    const parsed = parsePortRange(hostPort);
    if (!parsed) throw new RunError(`invalid hostPort: ${hostPort}`);
    hostRange = parsed;
  }
  if (hostPort !== '' && end - start !== hostRange[1] - hostRange[0] && end !== start)
    throw new RunError(
      `invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`,
    );
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase()))
    throw new RunError(`invalid proto: ${proto}`);
  const out: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let host = hostPort === '' ? '' : String(hostRange[0] + i);
    if (start === end && hostRange[0] !== hostRange[1]) host = `${host}-${hostRange[1]}`;
    out.push({
      port: `${start + i}/${proto.toLowerCase()}`,
      binding: { HostIp: ip, HostPort: host },
    });
  }
  return out;
}

function exposedPorts(text: string): string[] {
  if (text.includes(':')) throw new RunError(`invalid port format for --expose: ${text}`);
  const [proto, port] = splitProtoPort(text);
  const range = parsePortRange(port);
  if (!range)
    throw new RunError(
      `invalid range format for --expose: ${text}, error: strconv.ParseUint: parsing "${port}": invalid syntax`,
    );
  const out: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) out.push(`${p}/${proto}`);
  return out;
}

/** --cap-add/--cap-drop as the Docker CLI sends them: upper case, `CAP_` prefixed, sorted. */
export function effectiveCapabilities(
  add: readonly string[],
  drop: readonly string[],
): { capAdd: string[] | null; capDrop: string[] | null } {
  const normalize = (c: string): string => {
    const upper = c.trim().toUpperCase();
    return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  };
  let adds = new Set(add.map(normalize));
  let drops = new Set(drop.map(normalize));
  if (adds.has('ALL')) adds = new Set(['ALL']);
  if (drops.has('ALL')) drops = new Set(['ALL']);
  const capAdd = [...adds].sort();
  const capDrop = [...drops].filter((c) => !adds.has(c)).sort();
  return {
    capAdd: capAdd.length > 0 ? capAdd : null,
    capDrop: capDrop.length > 0 ? capDrop : null,
  };
}

export function envValue(text: string, env: NodeJS.ProcessEnv): string {
  const eq = text.indexOf('=');
  const key = eq === -1 ? text : text.slice(0, eq);
  if (key === '') throw invalidFlag('-e, --env', text, `invalid environment variable: ${text}`);
  if (eq !== -1) return text;
  const value = env[key];
  return value === undefined ? text : `${key}=${value}`;
}

/** opts.ParseEnvFile: `NAME=value` lines; a bare name takes the client's value, if any. */
export function parseEnvFile(content: string, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const rawLine of content.replace(/^\uFEFF/, '').split('\n')) {
    const line = rawLine.replace(/\r$/, '').trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = (eq === -1 ? line : line.slice(0, eq)).replace(/^[ \t\n\v\f\r]+/, '');
    if (/[ \t\n\v\f\r]/.test(name))
      throw new RunError(`poorly formatted environment: variable '${name}' contains whitespaces`);
    if (name === '')
      throw new RunError(`poorly formatted environment: no variable name on line '${line}'`);
    if (eq !== -1) out.push(`${name}=${line.slice(eq + 1)}`);
    else if (env[name] !== undefined) out.push(`${name}=${env[name]}`);
  }
  return out;
}

function securityOpts(values: readonly string[], readFile: (path: string) => string): string[] {
  return values.map((opt) => {
    let sep = opt.indexOf('=');
    if (sep === -1 && opt !== 'no-new-privileges') sep = opt.indexOf(':');
    const key = sep === -1 ? opt : opt.slice(0, sep);
    const value = sep === -1 ? '' : opt.slice(sep + 1);
    if (key === 'no-new-privileges') return opt;
    if (sep === -1 || value === '') throw new RunError(`Invalid --security-opt: "${opt}"`);
    if (key !== 'seccomp' || value === 'builtin' || value === 'unconfined') return opt;
    let profile: string;
    try {
      profile = readFile(value);
    } catch (err) {
      throw new RunError(`opening seccomp profile (${value}) failed: ${(err as Error).message}`);
    }
    try {
      return `seccomp=${JSON.stringify(JSON.parse(profile))}`;
    } catch (err) {
      throw new RunError(
        `compacting json for seccomp profile (${value}) failed: ${(err as Error).message}`,
      );
    }
  });
}

/** `--device host[:container][:mode]`, as the Docker CLI reads it. */
function parseDevice(text: string): {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
} {
  const parts = text.split(':');
  if (parts.length > 3 || parts[0] === '')
    throw invalidFlag('--device', text, `invalid device specification: ${text}`);
  const [src = '', second, third] = parts;
  let dst = '';
  let mode = 'rwm';
  if (third !== undefined) mode = third;
  if (second !== undefined) {
    if (third === undefined && /^[rwm]{1,3}$/.test(second)) mode = second;
    else dst = second;
  }
  if (!/^[rwm]{1,3}$/.test(mode) || new Set(mode).size !== mode.length)
    throw invalidFlag('--device', text, `bad mode specified: ${mode}`);
  const container = dst || src;
  if (!container.startsWith('/'))
    throw invalidFlag('--device', text, `bad format for path: ${text}`);
  return { PathOnHost: src, PathInContainer: container, CgroupPermissions: mode };
}

function sortedObject<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The create body for `berth run`/`berth create` flags. Invalid values throw a FlagError (exit
 * 125 with the usage) or a RunError (exit 125), with the Docker CLI's messages.
 */
export function containerOptions(
  flags: ParsedFlags,
  environment: OptionsEnvironment,
): ContainerOptions {
  const [image, ...command] = flags.args;
  if (image === undefined) throw new Error('an image is required');
  const has = (name: string): boolean => flags.given.has(name);
  const interactive = flagBool(flags, 'interactive');
  const tty = flagBool(flags, 'tty');
  const detach = environment.detach;

  // Values checked while parsing, in the Docker CLI.
  const env = flagList(flags, 'env').map((e) => envValue(e, environment.env));
  const memory = sizeFlag(flags, 'memory', '-m, --memory');
  const memorySwap = sizeFlag(flags, 'memory-swap', '--memory-swap', true);
  const shmSize = sizeFlag(flags, 'shm-size', '--shm-size');
  const nanoCpus = has('cpus') ? parseNanoCpus(flagString(flags, 'cpus')) : 0;
  const ulimits = new Map<string, ReturnType<typeof parseUlimit>>();
  for (const u of flagList(flags, 'ulimit')) {
    const parsed = parseUlimit(u);
    ulimits.set(parsed.Name, parsed);
  }
  const sysctls = flagList(flags, 'sysctl').map(parseSysctl);
  const devices = flagList(flags, 'device').map(parseDevice);

  // Then the checks of the options as a whole.
  const envFromFiles = flagList(flags, 'env-file').flatMap((file) => {
    let content: string;
    try {
      content = environment.readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new RunError(`open ${file}: no such file or directory`);
      throw new RunError(`open ${file}: ${(err as Error).message}`);
    }
    return parseEnvFile(content, environment.env);
  });
  const allEnv = [...envFromFiles, ...env];
  const exposed = new Set<string>();
  const bindings = new Map<string, { HostIp: string; HostPort: string }[]>();
  for (const spec of flagList(flags, 'publish')) {
    for (const { port, binding } of parsePortSpec(spec)) {
      exposed.add(port);
      bindings.set(port, [...(bindings.get(port) ?? []), binding]);
    }
  }
  for (const e of flagList(flags, 'expose')) for (const p of exposedPorts(e)) exposed.add(p);
  const restart = parseRestartPolicy(flagString(flags, 'restart'));
  const autoRemove = flagBool(flags, 'rm');
  if (autoRemove && restart.Name !== '' && restart.Name !== 'no')
    throw new RunError('conflicting options: cannot specify both --restart and --rm');
  const security = securityOpts(flagList(flags, 'security-opt'), environment.readFile);
  const { capAdd, capDrop } = effectiveCapabilities(
    flagList(flags, 'cap-add'),
    flagList(flags, 'cap-drop'),
  );
  const network = has('network')
    ? flagString(flags, 'network')
    : has('net')
      ? flagString(flags, 'net')
      : 'default';
  const entrypoint = flagString(flags, 'entrypoint');
  const labels = sortedObject(
    flagList(flags, 'label').map((l): [string, string] => {
      const eq = l.indexOf('=');
      return eq === -1 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
    }),
  );
  const tmpfs = flagList(flags, 'tmpfs').map((t): [string, string] => {
    const colon = t.indexOf(':');
    return colon === -1 ? [t, ''] : [t.slice(0, colon), t.slice(colon + 1)];
  });
  const groupAdd = flagList(flags, 'group-add');
  const { binds, volumes } = splitVolumeFlags(flagList(flags, 'volume'), environment.cwd ?? '/');
  const mounts = flagList(flags, 'mount').map(parseMountFlag);
  const volumesFrom = flagList(flags, 'volumes-from');
  const networking = networkBody(flags, network);

  const hostConfig: Record<string, unknown> = {
    Binds: binds.length > 0 ? binds : null,
    ContainerIDFile: '',
    LogConfig: { Type: '', Config: {} },
    NetworkMode: network,
    PortBindings: sortedObject(bindings),
    RestartPolicy: restart,
    AutoRemove: autoRemove,
    VolumeDriver: '',
    VolumesFrom: volumesFrom.length > 0 ? volumesFrom : null,
    ConsoleSize: [...environment.consoleSize],
    CapAdd: capAdd,
    CapDrop: capDrop,
    CgroupnsMode: '',
    Dns: networking.host['Dns'],
    DnsOptions: networking.host['DnsOptions'],
    DnsSearch: networking.host['DnsSearch'],
    ExtraHosts: networking.host['ExtraHosts'],
    GroupAdd: groupAdd.length > 0 ? groupAdd : null,
    IpcMode: '',
    Cgroup: '',
    Links: networking.host['Links'],
    OomScoreAdj: flagInt(flags, 'oom-score-adj') ?? 0,
    PidMode: '',
    Privileged: flagBool(flags, 'privileged'),
    PublishAllPorts: networking.host['PublishAllPorts'],
    ReadonlyRootfs: flagBool(flags, 'read-only'),
    SecurityOpt: security.length > 0 ? security : null,
    ...(tmpfs.length > 0 ? { Tmpfs: Object.fromEntries(tmpfs) } : {}),
    UTSMode: '',
    UsernsMode: '',
    ShmSize: shmSize,
    ...(sysctls.length > 0 ? { Sysctls: sortedObject(sysctls) } : {}),
    Isolation: '',
    CpuShares: flagInt(flags, 'cpu-shares'),
    Memory: memory,
    NanoCpus: nanoCpus,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: flagString(flags, 'cpuset-cpus'),
    CpusetMems: '',
    Devices: devices,
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: memorySwap,
    MemorySwappiness: -1,
    OomKillDisable: false,
    PidsLimit: flagInt(flags, 'pids-limit'),
    Ulimits: [...ulimits.values()],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    ...(mounts.length > 0 ? { Mounts: mounts } : {}),
    MaskedPaths: null,
    ReadonlyPaths: null,
    ...(has('init') ? { Init: flagBool(flags, 'init') } : {}),
  };
  const body: Record<string, unknown> = {
    Hostname: flagString(flags, 'hostname'),
    Domainname: flagString(flags, 'domainname'),
    User: flagString(flags, 'user'),
    AttachStdin: interactive && !detach,
    AttachStdout: !detach,
    AttachStderr: !detach,
    ...(exposed.size > 0
      ? { ExposedPorts: sortedObject([...exposed].map((p): [string, object] => [p, {}])) }
      : {}),
    Tty: tty,
    OpenStdin: interactive,
    StdinOnce: interactive && !detach,
    Env: allEnv.length > 0 ? allEnv : null,
    Cmd: command.length > 0 ? command : null,
    Image: image,
    Volumes: Object.fromEntries(volumes.map((v): [string, object] => [v, {}])),
    WorkingDir: flagString(flags, 'workdir'),
    Entrypoint: entrypoint !== '' ? [entrypoint] : has('entrypoint') ? [''] : null,
    OnBuild: null,
    Labels: labels,
    ...(has('stop-signal') ? { StopSignal: flagString(flags, 'stop-signal') } : {}),
    ...(has('stop-timeout') ? { StopTimeout: flagInt(flags, 'stop-timeout') } : {}),
    HostConfig: hostConfig,
    NetworkingConfig: {
      EndpointsConfig:
        networking.endpoints ?? (network === 'default' ? { default: endpoint('', [], []) } : {}),
    },
  };
  return {
    image,
    name: flagString(flags, 'name') || undefined,
    body,
    interactive,
    tty,
    autoRemove,
    detachKeys: flags.values.has('detach-keys') ? flagString(flags, 'detach-keys') : '',
  };
}
