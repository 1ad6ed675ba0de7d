import type { FlagSpec } from '../../lib/flags.js';

/** How a daemon.json value is typed: flags repeat for lists; `map` is `--flag k=v` repeated. */
export type JsonKind = 'bool' | 'string' | 'int' | 'list' | 'map';

export interface DaemonOption {
  readonly flag: FlagSpec;
  /** The key in daemon.json; undefined for flags that only exist on the command line. */
  readonly jsonKey?: string;
  readonly jsonKind: JsonKind;
  /** Applied on SIGHUP without a restart. */
  readonly reloadable?: boolean;
}

const home = process.env['HOME'] ?? '/root';
const certDir = process.env['DOCKER_CERT_PATH'] ?? `${home}/.docker`;

function opt(
  flag: FlagSpec,
  jsonKey: string | undefined,
  extra: { jsonKind?: JsonKind; reloadable?: boolean } = {},
): DaemonOption {
  const jsonKind = extra.jsonKind ?? (flag.type === 'list' ? 'list' : flag.type);
  return { flag, jsonKey, jsonKind, reloadable: extra.reloadable };
}

export const DEFAULT_CONFIG_FILE = '/etc/berth/daemon.json';

/** Every daemon setting: its flag, its daemon.json key, whether SIGHUP reloads it. */
export const DAEMON_OPTIONS: readonly DaemonOption[] = [
  opt(
    {
      name: 'config-file',
      type: 'string',
      default: DEFAULT_CONFIG_FILE,
      help: 'Daemon configuration file',
    },
    undefined,
  ),
  opt({ name: 'validate', type: 'bool', help: 'Validate the configuration and exit' }, undefined),
  opt(
    {
      name: 'host',
      short: 'H',
      type: 'list',
      help: 'Daemon socket(s) to listen on',
      placeholder: 'list',
    },
    'hosts',
  ),
  opt(
    {
      name: 'pidfile',
      short: 'p',
      type: 'string',
      default: '/run/berth.pid',
      help: 'Path to use for the daemon PID file',
    },
    'pidfile',
  ),
  opt(
    {
      name: 'data-root',
      short: 'g',
      type: 'string',
      default: '/var/lib/berth',
      help: 'Root directory of persistent state',
    },
    'data-root',
  ),
  opt(
    {
      name: 'exec-root',
      type: 'string',
      default: '/run/berth',
      help: 'Root directory of runtime state (sockets, pid and exit files)',
    },
    'exec-root',
  ),
  opt(
    {
      name: 'group',
      short: 'G',
      type: 'string',
      default: 'docker',
      help: 'Group for the unix socket',
    },
    'group',
  ),
  opt({ name: 'tls', type: 'bool', help: 'Use TLS; implied by --tlsverify' }, 'tls'),
  opt({ name: 'tlsverify', type: 'bool', help: 'Use TLS and verify the remote' }, 'tlsverify'),
  opt(
    {
      name: 'tlscacert',
      type: 'string',
      default: `${certDir}/ca.pem`,
      help: 'Trust certs signed only by this CA',
    },
    'tlscacert',
  ),
  opt(
    {
      name: 'tlscert',
      type: 'string',
      default: `${certDir}/cert.pem`,
      help: 'Path to TLS certificate file',
    },
    'tlscert',
  ),
  opt(
    { name: 'tlskey', type: 'string', default: `${certDir}/key.pem`, help: 'Path to TLS key file' },
    'tlskey',
  ),
  opt(
    { name: 'api-cors-header', type: 'string', help: 'Set CORS headers in the Engine API' },
    'api-cors-header',
  ),
  opt(
    {
      name: 'log-level',
      short: 'l',
      type: 'string',
      default: 'info',
      help: 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal")',
    },
    'log-level',
    { reloadable: true },
  ),
  opt({ name: 'debug', short: 'D', type: 'bool', help: 'Enable debug mode' }, 'debug', {
    reloadable: true,
  }),
  opt({ name: 'experimental', type: 'bool', help: 'Enable experimental features' }, 'experimental'),
  opt({ name: 'label', type: 'list', help: 'Set key=value labels to the daemon' }, 'labels', {
    reloadable: true,
  }),
  opt({ name: 'dns', type: 'list', help: 'DNS server to use' }, 'dns'),
  opt({ name: 'dns-search', type: 'list', help: 'DNS search domains to use' }, 'dns-search'),
  opt({ name: 'dns-opt', type: 'list', help: 'DNS options to use' }, 'dns-opts'),
  opt(
    { name: 'registry-mirror', type: 'list', help: 'Preferred registry mirror' },
    'registry-mirrors',
    { reloadable: true },
  ),
  opt(
    { name: 'insecure-registry', type: 'list', help: 'Enable insecure registry communication' },
    'insecure-registries',
    { reloadable: true },
  ),
  opt(
    {
      name: 'registry-certs-dir',
      type: 'string',
      default: '/etc/berth/certs.d',
      help: 'Directory of per-registry TLS files (<host:port>/ca.crt, client.cert, client.key)',
    },
    'registry-certs-dir',
  ),
  opt(
    {
      name: 'max-concurrent-downloads',
      type: 'int',
      default: 3,
      help: 'Set the max concurrent downloads',
    },
    'max-concurrent-downloads',
    { reloadable: true },
  ),
  opt(
    {
      name: 'max-concurrent-uploads',
      type: 'int',
      default: 5,
      help: 'Set the max concurrent uploads',
    },
    'max-concurrent-uploads',
    { reloadable: true },
  ),
  opt(
    {
      name: 'max-download-attempts',
      type: 'int',
      default: 5,
      help: 'Set the max download attempts for each pull',
    },
    'max-download-attempts',
    { reloadable: true },
  ),
  opt(
    { name: 'iptables', type: 'bool', default: true, help: 'Enable addition of iptables rules' },
    'iptables',
  ),
  opt(
    { name: 'ip-forward', type: 'bool', default: true, help: 'Enable net.ipv4.ip_forward' },
    'ip-forward',
  ),
  opt({ name: 'ip-masq', type: 'bool', default: true, help: 'Enable IP masquerading' }, 'ip-masq'),
  opt(
    { name: 'icc', type: 'bool', default: true, help: 'Enable inter-container communication' },
    'icc',
  ),
  opt(
    {
      name: 'ip',
      type: 'string',
      default: '0.0.0.0',
      help: 'Default IP when binding container ports',
    },
    'ip',
  ),
  opt(
    { name: 'bridge', short: 'b', type: 'string', help: 'Attach containers to a network bridge' },
    'bridge',
  ),
  opt({ name: 'bip', type: 'string', help: 'Specify network bridge IP' }, 'bip'),
  opt({ name: 'fixed-cidr', type: 'string', help: 'IPv4 subnet for fixed IPs' }, 'fixed-cidr'),
  opt({ name: 'mtu', type: 'int', default: 1500, help: 'Set the containers network MTU' }, 'mtu'),
  opt(
    {
      name: 'storage-driver',
      short: 's',
      type: 'string',
      default: 'overlay2',
      help: 'Storage driver to use ("overlay2"|"vfs")',
    },
    'storage-driver',
  ),
  opt({ name: 'storage-opt', type: 'list', help: 'Storage driver options' }, 'storage-opts'),
  opt(
    {
      name: 'default-runtime',
      type: 'string',
      default: 'runc',
      help: 'Default OCI runtime for containers ("runc"|"crun")',
    },
    'default-runtime',
    { reloadable: true },
  ),
  opt(
    {
      name: 'log-driver',
      type: 'string',
      default: 'json-file',
      help: 'Default driver for container logs',
    },
    'log-driver',
  ),
  opt(
    { name: 'log-opt', type: 'list', help: 'Default log driver options for containers' },
    'log-opts',
    { jsonKind: 'map' },
  ),
  opt(
    {
      name: 'live-restore',
      type: 'bool',
      default: true,
      help: 'Keep containers alive during daemon downtime',
    },
    'live-restore',
    { reloadable: true },
  ),
  opt(
    {
      name: 'shutdown-timeout',
      type: 'int',
      default: 15,
      help: 'Seconds a graceful shutdown waits for running jobs',
    },
    'shutdown-timeout',
    { reloadable: true },
  ),
];

export const DAEMON_FLAGS: readonly FlagSpec[] = DAEMON_OPTIONS.map((o) => o.flag);
