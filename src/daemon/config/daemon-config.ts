import { isIP } from 'node:net';
import { logSettings } from '../../core/containers/log-config.js';
import { isBerthError } from '../../core/errors.js';
import { normaliseMirror } from '../../core/registry/endpoints.js';
import { isLogLevel, type LogLevel } from '../../lib/logger.js';
import { HostAddressError, parseHostAddress, type HostAddress } from '../../lib/host-address.js';
import { ConfigError, type MergedSettings, type SettingValue } from './load-config.js';

export interface TlsConfig {
  readonly verify: boolean;
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

export interface DaemonConfig {
  readonly configFile: string;
  readonly hosts: readonly HostAddress[];
  readonly pidfile: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  /** The unix socket's group; `explicit` when the user named it (then it must exist). */
  readonly group: { readonly name: string; readonly explicit: boolean };
  /** undefined: no TLS. */
  readonly tls?: TlsConfig;
  readonly corsHeader: string;
  logLevel: LogLevel;
  readonly experimental: boolean;
  labels: readonly string[];
  readonly dns: readonly string[];
  readonly dnsSearch: readonly string[];
  readonly dnsOptions: readonly string[];
  registryMirrors: readonly string[];
  insecureRegistries: readonly string[];
  readonly registryCertsDir: string;
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  maxDownloadAttempts: number;
  readonly iptables: boolean;
  readonly ipForward: boolean;
  readonly ipMasq: boolean;
  readonly icc: boolean;
  readonly defaultBindIp: string;
  readonly bridge: string;
  readonly bip: string;
  readonly fixedCidr: string;
  readonly mtu: number;
  readonly storageDriver: string;
  readonly storageOptions: readonly string[];
  defaultRuntime: string;
  readonly logDriver: string;
  readonly logOptions: Readonly<Record<string, string>>;
  liveRestore: boolean;
  shutdownTimeoutSeconds: number;
}

export const STORAGE_DRIVERS = ['overlay2', 'vfs'] as const;
export const RUNTIMES = ['runc', 'crun'] as const;

function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const family = isIP(m[1] as string);
  const bits = Number(m[2]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

/** Log level from --log-level and --debug (debug wins, as in dockerd). */
export function effectiveLogLevel(level: string, debug: boolean): LogLevel {
  if (debug) return 'debug';
  if (!isLogLevel(level)) throw new ConfigError(`unable to parse logging level: ${level}`);
  return level;
}

export function validateMtu(mtu: number): void {
  if (mtu < 68 || mtu > 65535)
    throw new ConfigError(`invalid MTU ${mtu}: it must be between 68 and 65535`);
}

/**
 * Builds the typed configuration and checks it, before anything is created on the host
 * (S1.3): each problem is a ConfigError with the reason.
 */
export function buildDaemonConfig(settings: MergedSettings): DaemonConfig {
  const v = settings.values;
  const given = settings.given;
  const str = (k: string): string => v.get(k) as string;
  const bool = (k: string): boolean => v.get(k) as boolean;
  const int = (k: string): number => v.get(k) as number;
  const list = (k: string): string[] => v.get(k) as string[];
  const map = (k: string): Record<string, string> => v.get(k) as Record<string, string>;

  if (str('bridge') !== '' && str('bip') !== '') {
    throw new ConfigError(
      'You specified -b & --bip, mutually exclusive options. Please specify only one',
    );
  }
  if (!bool('icc') && !bool('iptables')) {
    throw new ConfigError(
      'You specified --iptables=false with --icc=false. ICC=false uses iptables to function. Please set --icc or --iptables to true.',
    );
  }
  if (str('bip') !== '' && !isCidr(str('bip')))
    throw new ConfigError(
      `invalid --bip "${str('bip')}": expected an address with a prefix length, such as 192.168.1.5/24`,
    );
  if (str('fixed-cidr') !== '' && !isCidr(str('fixed-cidr')))
    throw new ConfigError(
      `invalid --fixed-cidr "${str('fixed-cidr')}": expected a CIDR such as 192.168.1.0/25`,
    );
  if (isIP(str('ip')) === 0)
    throw new ConfigError(`invalid --ip "${str('ip')}": expected an IP address`);
  validateMtu(int('mtu'));
  const logLevel = effectiveLogLevel(str('log-level'), bool('debug'));
  if (!(STORAGE_DRIVERS as readonly string[]).includes(str('storage-driver'))) {
    throw new ConfigError(
      `unknown storage driver "${str('storage-driver')}": berth supports ${STORAGE_DRIVERS.join(', ')}`,
    );
  }
  if (!(RUNTIMES as readonly string[]).includes(str('default-runtime'))) {
    throw new ConfigError(
      `unknown runtime "${str('default-runtime')}": berth supports ${RUNTIMES.join(', ')}`,
    );
  }
  for (const key of [
    'max-concurrent-downloads',
    'max-concurrent-uploads',
    'max-download-attempts',
  ]) {
    if (int(key) < 1) throw new ConfigError(`invalid --${key} ${int(key)}: it must be at least 1`);
  }
  if (int('shutdown-timeout') < 0)
    throw new ConfigError('invalid --shutdown-timeout: it must not be negative');
  for (const server of list('dns')) {
    if (isIP(server) === 0) throw new ConfigError(`${server} is not an ip address`);
  }
  for (const mirror of list('registry-mirror')) {
    try {
      normaliseMirror(mirror);
    } catch (err) {
      if (!isBerthError(err)) throw err;
      throw new ConfigError(err.message);
    }
  }
  for (const label of list('label')) {
    if (!/^[^=]+=/.test(label)) throw new ConfigError(`bad attribute format: ${label}`);
  }
  try {
    logSettings({ type: str('log-driver'), config: map('log-opt') });
  } catch (err) {
    if (isBerthError(err)) throw new ConfigError(`invalid log configuration: ${err.message}`);
    throw err;
  }

  const tlsVerify = bool('tlsverify');
  const tlsOn = tlsVerify || bool('tls');
  const tlsForcedOff = given.has('tls') && !bool('tls') && !tlsVerify;
  let hosts: HostAddress[];
  try {
    const raw = list('host');
    hosts = (raw.length === 0 ? [''] : raw).map((h) => parseHostAddress(h, { tls: tlsOn }));
  } catch (err) {
    if (err instanceof HostAddressError) throw new ConfigError(err.message);
    throw err;
  }
  for (const host of hosts) {
    if (host.kind === 'tcp' && !tlsOn && !tlsForcedOff) {
      throw new ConfigError(
        `refusing to listen on tcp://${host.host}:${host.port} without TLS: anyone who reaches it gets root on this host. ` +
          'Use --tlsverify with --tlscacert, --tlscert and --tlskey, or pass --tls=false to force an unencrypted listener',
      );
    }
  }

  return {
    configFile: settings.configFile,
    hosts,
    pidfile: str('pidfile'),
    dataRoot: str('data-root'),
    execRoot: str('exec-root'),
    group: { name: str('group'), explicit: given.has('group') },
    tls: tlsOn
      ? { verify: tlsVerify, caCert: str('tlscacert'), cert: str('tlscert'), key: str('tlskey') }
      : undefined,
    corsHeader: str('api-cors-header'),
    logLevel,
    experimental: bool('experimental'),
    labels: list('label'),
    dns: list('dns'),
    dnsSearch: list('dns-search'),
    dnsOptions: list('dns-opt'),
    registryMirrors: list('registry-mirror'),
    insecureRegistries: list('insecure-registry'),
    registryCertsDir: str('registry-certs-dir'),
    maxConcurrentDownloads: int('max-concurrent-downloads'),
    maxConcurrentUploads: int('max-concurrent-uploads'),
    maxDownloadAttempts: int('max-download-attempts'),
    iptables: bool('iptables'),
    ipForward: bool('ip-forward'),
    ipMasq: bool('ip-masq'),
    icc: bool('icc'),
    defaultBindIp: str('ip'),
    bridge: str('bridge'),
    bip: str('bip'),
    fixedCidr: str('fixed-cidr'),
    mtu: int('mtu'),
    storageDriver: str('storage-driver'),
    storageOptions: list('storage-opt'),
    defaultRuntime: str('default-runtime'),
    logDriver: str('log-driver'),
    logOptions: map('log-opt'),
    liveRestore: bool('live-restore'),
    shutdownTimeoutSeconds: int('shutdown-timeout'),
  };
}

/** True when TCP is served without TLS because the user forced it: warn loudly. */
export function servesPlainTcp(config: DaemonConfig): boolean {
  return config.tls === undefined && config.hosts.some((h) => h.kind === 'tcp');
}

export type { SettingValue };
