// `berth run`, `berth create`, `berth start` and `berth attach`: containers with their streams,
// in the Docker CLI's order (create, attach, wait, start, resize) and with its exit statuses.

import { readFileSync } from 'node:fs';
import { ApiError, type BerthClient } from '../../client/client.js';
import { flagBool, flagString, type FlagSpec, type ParsedFlags } from '../../lib/flags.js';
import type { ContainerInspect } from '../../types/docker/containers.js';
import type { CliContext, Command } from '../command.js';
import {
  CONTAINER_FLAGS,
  RUN_ONLY_FLAGS,
  containerOptions,
  type ContainerOptions,
} from '../container-options.js';
import { ExitError, RunError } from '../errors.js';
import {
  monitorTerminalSize,
  proxySignals,
  runSession,
  terminalSize,
  type SessionEnd,
} from '../session.js';

const byName = (a: FlagSpec, b: FlagSpec): number => (a.name < b.name ? -1 : 1);
const DETACH_KEYS: FlagSpec = {
  name: 'detach-keys',
  type: 'string',
  help: 'Override the key sequence for detaching a container',
};

/** The Docker CLI refuses to read a terminal's keys from something that is not a terminal. */
export function checkTty(ctx: CliContext, attachStdin: boolean, tty: boolean): void {
  if (attachStdin && tty && !ctx.stdin.isTTY)
    throw new ExitError('the input device is not a TTY', 1);
}

function parseOptions(ctx: CliContext, flags: ParsedFlags, detach: boolean): ContainerOptions {
  return containerOptions(flags, {
    detach,
    consoleSize: terminalSize(ctx.stdout),
    env: process.env,
    readFile: (path) => readFileSync(path, 'utf8'),
    cwd: process.cwd(),
  });
}

/** `docker run`'s status for a container it could not create or start: 125, 126 or 127. */
function runFailure(err: ApiError): RunError {
  const message = `Error response from daemon: ${err.message}`;
  if (
    /executable file not found|no such file or directory|system cannot find the file specified/.test(
      err.message,
    )
  )
    return new RunError(message, 127);
  if (/permission denied|is a directory/.test(err.message)) return new RunError(message, 126);
  return new RunError(message, 125);
}

async function createContainer(ctx: CliContext, options: ContainerOptions): Promise<string> {
  const created = await ctx.client().createContainer(options.body, options.name);
  for (const warning of created.Warnings ?? []) ctx.stderr.write(`WARNING: ${warning}\n`);
  return created.Id;
}

interface AttachedStart {
  readonly id: string;
  readonly tty: boolean;
  /** Forward the client's stdin. */
  readonly stdin: boolean;
  readonly autoRemove: boolean;
  readonly detachKeys: string;
  /** Forward the client's signals as kills (non-tty sessions). */
  readonly sigProxy: boolean;
  /** What a failed start becomes (run: Docker's 125/126/127; start: the daemon's error). */
  readonly startFailure: (err: ApiError) => Error;
}

/**
 * Attaches, waits, starts and streams until the container's output ends; resolves with its exit
 * status, or 0 when the user detached.
 */
async function attachAndStart(ctx: CliContext, s: AttachedStart): Promise<number> {
  const client = ctx.client();
  const socket = await client.attachContainer(s.id, {
    stderr: true,
    stdin: s.stdin || undefined,
    stdout: true,
    stream: true,
  });
  const waitAbort = new AbortController();
  let wait: { result: Promise<number> };
  try {
    wait = await client.waitContainer(
      s.id,
      s.autoRemove ? 'removed' : 'next-exit',
      waitAbort.signal,
    );
  } catch (err) {
    socket.destroy();
    throw err;
  }
  // Handled below, or abandoned when the user detaches.
  wait.result.catch(() => undefined);
  const session = runSession({
    socket,
    tty: s.tty,
    stdin: s.stdin ? ctx.stdin : undefined,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    detachKeys: s.detachKeys,
    signal: s.sigProxy ? undefined : ctx.signal,
  });
  const stopProxy = s.sigProxy
    ? proxySignals((signal) => client.containerAction(s.id, 'kill', { signal }))
    : () => undefined;
  try {
    try {
      await client.containerAction(s.id, 'start');
    } catch (err) {
      socket.destroy();
      await session.catch(() => undefined);
      // With --rm the daemon removes what could not start: wait for it, as Docker does.
      if (s.autoRemove) await wait.result.catch(() => undefined);
      throw err instanceof ApiError ? s.startFailure(err) : err;
    }
    const stopResize =
      s.tty && ctx.stdout.isTTY
        ? monitorTerminalSize({
            out: ctx.stdout,
            stderr: ctx.stderr,
            resize: (rows, cols) => client.resize('containers', s.id, rows, cols),
          })
        : () => undefined;
    let end: SessionEnd;
    try {
      end = await session;
    } finally {
      stopResize();
    }
    if (end !== 'ended') return 0;
    return await wait.result;
  } finally {
    stopProxy();
    waitAbort.abort();
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Create and run a new container from an image',
  usage: 'berth run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  interspersed: false,
  arity: { min: 1 },
  flags: [...RUN_ONLY_FLAGS, ...CONTAINER_FLAGS].sort(byName),
  async run(ctx, flags) {
    const detach = flagBool(flags, 'detach');
    const options = parseOptions(ctx, flags, detach);
    if (!detach) checkTty(ctx, options.interactive, options.tty);
    const client = ctx.client();
    let id: string;
    try {
      id = await createContainer(ctx, options);
    } catch (err) {
      throw err instanceof ApiError ? runFailure(err) : err;
    }
    if (detach) {
      try {
        await client.containerAction(id, 'start');
      } catch (err) {
        throw err instanceof ApiError ? runFailure(err) : err;
      }
      ctx.stdout.write(`${id}\n`);
      return 0;
    }
    return attachAndStart(ctx, {
      id,
      tty: options.tty,
      stdin: options.interactive,
      autoRemove: options.autoRemove,
      detachKeys: options.detachKeys,
      // In tty mode signals are keys the terminal sends, as in the Docker CLI.
      sigProxy: flagBool(flags, 'sig-proxy') && !options.tty,
      startFailure: runFailure,
    });
  },
};

export const createCommand: Command = {
  name: 'create',
  summary: 'Create a new container',
  usage: 'berth create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  interspersed: false,
  arity: { min: 1 },
  flags: [...CONTAINER_FLAGS].sort(byName),
  async run(ctx, flags) {
    const id = await createContainer(ctx, parseOptions(ctx, flags, false));
    ctx.stdout.write(`${id}\n`);
    return 0;
  },
};

export const startCommand: Command = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: 'berth start [OPTIONS] CONTAINER [CONTAINER...]',
  arity: { min: 1 },
  flags: [
    { name: 'attach', short: 'a', type: 'bool', help: 'Attach STDOUT/STDERR and forward signals' },
    DETACH_KEYS,
    { name: 'interactive', short: 'i', type: 'bool', help: "Attach container's STDIN" },
  ],
  async run(ctx, flags) {
    const client = ctx.client();
    const interactive = flagBool(flags, 'interactive');
    if (flagBool(flags, 'attach') || interactive) {
      if (flags.args.length > 1)
        throw new ExitError('you cannot start and attach multiple containers at once', 1);
      const info = await client.inspectContainer(flags.args[0] as string);
      const tty = info.Config['Tty'] === true;
      return attachAndStart(ctx, {
        id: info.Id,
        tty,
        stdin: interactive && info.Config['OpenStdin'] === true,
        autoRemove: info.HostConfig['AutoRemove'] === true,
        detachKeys: flagString(flags, 'detach-keys'),
        sigProxy: !tty,
        startFailure: (err) => err,
      });
    }
    const failed: string[] = [];
    for (const name of flags.args) {
      try {
        await client.containerAction(name, 'start');
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        ctx.stderr.write(`Error response from daemon: ${err.message}\n`);
        failed.push(name);
      }
    }
    if (failed.length > 0)
      throw new ExitError(`Error: failed to start containers: ${failed.join(', ')}`, 1);
    return 0;
  },
};

/** Docker's refusals to attach to a container that is not running. */
async function inspectRunning(client: BerthClient, name: string): Promise<ContainerInspect> {
  const info = await client.inspectContainer(name);
  if (!info.State.Running)
    throw new ExitError('You cannot attach to a stopped container, start it first', 1);
  if (info.State.Paused)
    throw new ExitError('You cannot attach to a paused container, unpause it first', 1);
  if (info.State.Restarting)
    throw new ExitError('You cannot attach to a restarting container, wait until it is running', 1);
  return info;
}

export const attachCommand: Command = {
  name: 'attach',
  summary: 'Attach local standard input, output, and error streams to a running container',
  usage: 'berth attach [OPTIONS] CONTAINER',
  arity: { min: 1, max: 1 },
  flags: [
    DETACH_KEYS,
    { name: 'no-stdin', type: 'bool', help: 'Do not attach STDIN' },
    {
      name: 'sig-proxy',
      type: 'bool',
      default: true,
      help: 'Proxy all received signals to the process',
    },
  ],
  async run(ctx, flags) {
    const name = flags.args[0] as string;
    const client = ctx.client();
    const noStdin = flagBool(flags, 'no-stdin');
    const waitAbort = new AbortController();
    const wait = await client.waitContainer(name, undefined, waitAbort.signal);
    wait.result.catch(() => undefined);
    try {
      const info = await inspectRunning(client, name);
      const tty = info.Config['Tty'] === true;
      checkTty(ctx, !noStdin, tty);
      const stdin = !noStdin && info.Config['OpenStdin'] === true;
      const socket = await client.attachContainer(name, {
        stderr: true,
        stdin: stdin || undefined,
        stdout: true,
        stream: true,
      });
      try {
        await inspectRunning(client, name);
      } catch (err) {
        socket.destroy();
        throw err;
      }
      const sigProxy = flagBool(flags, 'sig-proxy') && !tty;
      const stopProxy = sigProxy
        ? proxySignals((signal) => client.containerAction(name, 'kill', { signal }))
        : () => undefined;
      const stopResize =
        tty && ctx.stdout.isTTY
          ? monitorTerminalSize({
              out: ctx.stdout,
              stderr: ctx.stderr,
              resize: (rows, cols) => client.resize('containers', name, rows, cols),
              redraw: true,
            })
          : () => undefined;
      let end: SessionEnd;
      try {
        end = await runSession({
          socket,
          tty,
          stdin: stdin ? ctx.stdin : undefined,
          stdout: ctx.stdout,
          stderr: ctx.stderr,
          detachKeys: flagString(flags, 'detach-keys'),
          signal: sigProxy ? undefined : ctx.signal,
        });
      } finally {
        stopResize();
        stopProxy();
      }
      if (end === 'detached') throw new ExitError('read escape sequence', 1);
      if (end === 'aborted') return 0;
      return await wait.result;
    } finally {
      waitAbort.abort();
    }
  },
};
