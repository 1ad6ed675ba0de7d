import { ApiError, BerthClient, ConnectionError } from '../client/client.js';
import { selectHost, type ClientTlsOptions } from '../client/connection.js';
import { buildInfo } from '../lib/build-info.js';
import {
  FlagError,
  flagBool,
  flagList,
  flagString,
  formatFlagHelp,
  parseFlags,
  type FlagSpec,
} from '../lib/flags.js';
import { HostAddressError } from '../lib/host-address.js';
import { ENGINE_API_VERSION } from '../types/docker/api.js';
import type { CliContext, Command } from './command.js';
import { commitCommand, diffCommand } from './commands/commit.js';
import { eventsCommand } from './commands/events.js';
import { cpCommand, exportCommand } from './commands/files.js';
import { infoCommand } from './commands/info.js';
import { networkCommands } from './commands/network.js';
import { statsCommand } from './commands/stats.js';
import { systemCommands } from './commands/system.js';
import { volumeCommands } from './commands/volume.js';
import { topCommand } from './commands/top.js';
import { versionCommand } from './commands/version.js';
import {
  containerPruneCommand,
  killCommand,
  logsCommand,
  psCommand,
  rmCommand,
  stopCommand,
} from './commands/containers.js';
import {
  pauseCommand,
  portCommand,
  renameCommand,
  restartCommand,
  updateCommand,
  unpauseCommand,
  waitCommand,
} from './commands/control.js';
import { execCommand } from './commands/exec.js';
import { containerInspectCommand, inspectCommand } from './commands/inspect.js';
import { attachCommand, createCommand, runCommand, startCommand } from './commands/run.js';
import { ExitError, RunError } from './errors.js';
import { arityError } from './usage.js';
import {
  historyCommand,
  imageCommands,
  imagesCommand,
  importCommand,
  loadCommand,
  rmiCommand,
  saveCommand,
  StreamError,
  tagCommand,
} from './commands/images.js';
import { TemplateError } from './render/template.js';
import {
  loginCommand,
  logoutCommand,
  pullCommand,
  pushCommand,
  searchCommand,
} from './commands/registry.js';

const home = process.env['HOME'] ?? '/root';
const certPath = process.env['DOCKER_CERT_PATH'] ?? `${home}/.docker`;

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'host', short: 'H', type: 'list', help: 'Daemon socket to connect to' },
  { name: 'tls', type: 'bool', help: 'Use TLS; implied by --tlsverify' },
  {
    name: 'tlsverify',
    type: 'bool',
    default:
      process.env['DOCKER_TLS_VERIFY'] !== undefined && process.env['DOCKER_TLS_VERIFY'] !== '',
    help: 'Use TLS and verify the remote',
  },
  {
    name: 'tlscacert',
    type: 'string',
    default: `${certPath}/ca.pem`,
    help: 'Trust certs signed only by this CA',
  },
  {
    name: 'tlscert',
    type: 'string',
    default: `${certPath}/cert.pem`,
    help: 'Path to TLS certificate file',
  },
  { name: 'tlskey', type: 'string', default: `${certPath}/key.pem`, help: 'Path to TLS key file' },
  { name: 'debug', short: 'D', type: 'bool', help: 'Enable debug mode' },
  { name: 'log-level', short: 'l', type: 'string', default: 'info', help: 'Set the logging level' },
  { name: 'version', short: 'v', type: 'bool', help: 'Print version information and quit' },
  { name: 'help', short: 'h', type: 'bool', help: 'Print usage' },
];

/** The container commands of this file's client, at the top level and under `container`. */
const CONTAINER_COMMANDS: Record<string, Command> = {
  create: createCommand,
  attach: attachCommand,
  exec: execCommand,
  restart: restartCommand,
  update: updateCommand,
  pause: pauseCommand,
  unpause: unpauseCommand,
  wait: waitCommand,
  rename: renameCommand,
  port: portCommand,
};

const COMMANDS: Record<string, Command> = {
  version: versionCommand,
  info: infoCommand,
  events: eventsCommand,
  images: imagesCommand,
  history: historyCommand,
  tag: tagCommand,
  rmi: rmiCommand,
  load: loadCommand,
  save: saveCommand,
  import: importCommand,
  pull: pullCommand,
  push: pushCommand,
  login: loginCommand,
  logout: logoutCommand,
  search: searchCommand,
  run: runCommand,
  ...CONTAINER_COMMANDS,
  inspect: inspectCommand,
  start: startCommand,
  stop: stopCommand,
  kill: killCommand,
  rm: rmCommand,
  logs: logsCommand,
  ps: psCommand,
  diff: diffCommand,
  commit: commitCommand,
  top: topCommand,
  stats: statsCommand,
  cp: cpCommand,
  export: exportCommand,
};

const GROUPS: Record<string, Record<string, Command>> = {
  system: systemCommands,
  image: { ...imageCommands, pull: pullCommand, push: pushCommand },
  volume: volumeCommands,
  network: networkCommands,
  container: {
    run: runCommand,
    ...CONTAINER_COMMANDS,
    inspect: containerInspectCommand,
    start: startCommand,
    stop: stopCommand,
    kill: killCommand,
    rm: rmCommand,
    logs: logsCommand,
    ls: { ...psCommand, name: 'ls' },
    prune: containerPruneCommand,
    diff: diffCommand,
    commit: commitCommand,
    top: topCommand,
    stats: statsCommand,
    cp: cpCommand,
    export: exportCommand,
  },
};

function mainUsage(): string {
  const rows = Object.values(COMMANDS).map((c) => `  ${c.name.padEnd(12)}${c.summary}`);
  const groups = Object.keys(GROUPS).map(
    (g) => `  ${g.padEnd(12)}Manage berth (${Object.keys(GROUPS[g] ?? {}).join(', ')})`,
  );
  return [
    'Usage:  berth [OPTIONS] COMMAND',
    '',
    'A container engine that speaks the Docker Engine API',
    '',
    'Commands:',
    '  daemon      Run the berth daemon',
    ...rows,
    '',
    'Management Commands:',
    ...groups,
    '',
    'Global Options:',
    formatFlagHelp(GLOBAL_FLAGS),
    '',
    "Run 'berth COMMAND --help' for more information on a command.",
    '',
  ].join('\n');
}

/** A flag the Docker CLI refuses: its message and usage line, exit 125. */
function flagErrorText(err: FlagError, label: string, command: Command): string {
  return `${err.message}\n\nUsage:  ${command.usage}\n\nRun 'berth ${label} --help' for more information\n`;
}

function commandUsage(command: Command): string {
  const help = formatFlagHelp([
    ...command.flags,
    { name: 'help', type: 'bool', help: 'Print usage' },
  ]);
  return `Usage:  ${command.usage}\n\n${command.summary}\n\nOptions:\n${help}\n`;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  let global;
  try {
    global = parseFlags(GLOBAL_FLAGS, argv, { interspersed: false });
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    stderr.write(`${err.message}\nSee 'berth --help'.\n`);
    return 125;
  }
  const build = buildInfo();
  if (flagBool(global, 'version')) {
    stdout.write(`berth version ${build.version}, build ${build.gitCommit}\n`);
    return 0;
  }
  const [name, ...afterName] = global.args;
  let rest = afterName;
  if (name === undefined || flagBool(global, 'help') || name === 'help') {
    stdout.write(mainUsage());
    return 0;
  }
  let command = COMMANDS[name];
  const group = GROUPS[name];
  let label = name;
  if (group) {
    const [sub, ...subRest] = rest;
    command = sub === undefined ? undefined : group[sub];
    if (!command) {
      stdout.write(
        `Usage:  berth ${name} COMMAND\n\nCommands:\n${Object.values(group)
          .map((c) => `  ${c.name.padEnd(12)}${c.summary}`)
          .join('\n')}\n`,
      );
      return sub === undefined || sub === '--help' ? 0 : 1;
    }
    label = `${name} ${sub}`;
    rest = subRest;
  }
  if (!command) {
    stderr.write(`berth: '${name}' is not a berth command.\nSee 'berth --help'\n`);
    return 1;
  }

  let flags;
  try {
    flags = parseFlags(
      [...command.flags, { name: 'help', type: 'bool', help: 'Print usage' }],
      rest,
      {
        interspersed: command.interspersed ?? true,
      },
    );
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    stderr.write(flagErrorText(err, label, command));
    return 125;
  }
  if (flags.values.get('help') === true) {
    stdout.write(commandUsage(command));
    return 0;
  }
  if (command.maxArgs !== undefined && flags.args.length > command.maxArgs) {
    stderr.write(
      `"berth ${label}" accepts no arguments.\nSee 'berth ${label} --help'.\n\nUsage:  ${command.usage}\n`,
    );
    return 1;
  }
  const wrongCount = command.arity
    ? arityError(label, command.usage, command.arity, flags.args.length)
    : undefined;
  if (wrongCount !== undefined) {
    stderr.write(wrongCount);
    return 1;
  }

  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let client: BerthClient | undefined;
  const ctx: CliContext = {
    stdin: process.stdin,
    stdout,
    stderr,
    signal: controller.signal,
    clientInfo: { ...build, apiVersion: ENGINE_API_VERSION },
    client() {
      if (!client) {
        const tlsVerify = flagBool(global, 'tlsverify');
        const tlsOn = tlsVerify || flagBool(global, 'tls');
        const tls: ClientTlsOptions | undefined = tlsOn
          ? {
              verify: tlsVerify,
              caCert: flagString(global, 'tlscacert'),
              cert: flagString(global, 'tlscert'),
              key: flagString(global, 'tlskey'),
            }
          : undefined;
        client = new BerthClient({
          host: selectHost({ flagHosts: flagList(global, 'host'), tls: tlsOn }),
          tls,
        });
      }
      return client;
    },
  };
  try {
    return await command.run(ctx, flags);
  } catch (err) {
    if (err instanceof ApiError) {
      stderr.write(`Error response from daemon: ${err.message}\n`);
      return 1;
    }
    if (err instanceof RunError) {
      stderr.write(`berth: ${err.message}\n\nRun 'berth ${label} --help' for more information\n`);
      return err.code;
    }
    if (err instanceof FlagError) {
      // A flag value refused once parsed (a size, a port...): as a parse error.
      stderr.write(flagErrorText(err, label, command));
      return 125;
    }
    if (err instanceof ExitError) {
      if (err.message !== '') stderr.write(`${err.message}\n`);
      return err.code;
    }
    if (err instanceof StreamError) {
      stderr.write(`${err.message}\n`);
      return err.code;
    }
    if (
      err instanceof ConnectionError ||
      err instanceof HostAddressError ||
      err instanceof TemplateError
    ) {
      stderr.write(`${err.message}\n`);
      return 1;
    }
    if (controller.signal.aborted) return 0;
    stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
