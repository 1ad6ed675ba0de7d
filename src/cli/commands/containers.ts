import type { Duplex } from 'node:stream';
import { ApiError } from '../../client/client.js';
import { flagBool, flagInt, flagList, flagString, type FlagSpec } from '../../lib/flags.js';
import type { CliContext, Command } from '../command.js';
import { eachArgument } from '../each-argument.js';
import { renderTemplate } from '../render/template.js';
import { ago, shortId, table } from '../render/table.js';
import { parseFilterFlags } from './events.js';

/** Splits the multiplexed stream (8-byte headers) of a non-tty container onto stdout/stderr. */
export class FrameDemuxer {
  #buffer = Buffer.alloc(0);

  constructor(
    private readonly out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  ) {}

  push(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 8) {
      const size = this.#buffer.readUInt32BE(4);
      if (this.#buffer.length < 8 + size) return;
      const payload = this.#buffer.subarray(8, 8 + size);
      (this.#buffer[0] === 2 ? this.out.stderr : this.out.stdout).write(payload);
      this.#buffer = this.#buffer.subarray(8 + size);
    }
  }
}

async function pump(ctx: CliContext, source: AsyncIterable<unknown>, tty: boolean): Promise<void> {
  const demux = new FrameDemuxer(ctx);
  for await (const chunk of source) {
    if (tty) ctx.stdout.write(chunk as Buffer);
    else demux.push(chunk as Buffer);
  }
}

const RUN_FLAGS: FlagSpec[] = [
  {
    name: 'detach',
    short: 'd',
    type: 'bool',
    help: 'Run container in background and print container ID',
  },
  { name: 'rm', type: 'bool', help: 'Automatically remove the container when it exits' },
  { name: 'name', type: 'string', help: 'Assign a name to the container' },
  { name: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
  { name: 'label', short: 'l', type: 'list', help: 'Set meta data on a container' },
  { name: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
  {
    name: 'user',
    short: 'u',
    type: 'string',
    help: 'Username or UID (format: <name|uid>[:<group|gid>])',
  },
  { name: 'entrypoint', type: 'string', help: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'hostname', short: 'h', type: 'string', help: 'Container host name' },
  { name: 'network', type: 'string', help: 'Connect a container to a network ("none", "host")' },
];

function createBody(flags: Parameters<Command['run']>[1]): {
  body: Record<string, unknown>;
  image: string;
} {
  const [image, ...command] = flags.args;
  if (!image) throw new Error('requires at least 1 argument');
  const detach = flags.values.has('detach') && flagBool(flags, 'detach');
  const entrypoint = flagString(flags, 'entrypoint');
  const labels = Object.fromEntries(
    flagList(flags, 'label').map((l) => [l.split('=', 1)[0], l.slice(l.indexOf('=') + 1)]),
  );
  return {
    image,
    body: {
      Hostname: flagString(flags, 'hostname'),
      User: flagString(flags, 'user'),
      AttachStdout: !detach,
      AttachStderr: !detach,
      Env: flagList(flags, 'env'),
      Cmd: command.length > 0 ? command : null,
      Image: image,
      WorkingDir: flagString(flags, 'workdir'),
      Entrypoint: entrypoint ? [entrypoint] : null,
      Labels: labels,
      HostConfig: {
        AutoRemove: flags.values.has('rm') && flagBool(flags, 'rm'),
        NetworkMode: flagString(flags, 'network') || 'default',
      },
    },
  };
}

/** Exit status of a container command that failed in the daemon: 125, as `docker run`. */
class RunError extends Error {}

export const runCommand: Command = {
  name: 'run',
  summary: 'Create and run a new container from an image',
  usage: 'berth run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  interspersed: false,
  flags: RUN_FLAGS,
  async run(ctx, flags) {
    const client = ctx.client();
    const { body } = createBody(flags);
    let id: string;
    try {
      id = (await client.createContainer(body, flagString(flags, 'name') || undefined)).Id;
    } catch (err) {
      if (err instanceof ApiError)
        throw new RunError(`berth: Error response from daemon: ${err.message}`);
      throw err;
    }
    if (flagBool(flags, 'detach')) {
      await client.containerAction(id, 'start');
      ctx.stdout.write(`${id}\n`);
      return 0;
    }
    const socket: Duplex = await client.attachContainer(id, {
      stream: true,
      stdout: true,
      stderr: true,
    });
    const output = pump(ctx, socket, false);
    const wait = await client.waitContainer(
      id,
      flagBool(flags, 'rm') ? 'removed' : 'next-exit',
      ctx.signal,
    );
    try {
      await client.containerAction(id, 'start');
    } catch (err) {
      socket.destroy();
      if (err instanceof ApiError)
        throw new RunError(`berth: Error response from daemon: ${err.message}`);
      throw err;
    }
    await output;
    return wait.result;
  },
};

export const startCommand: Command = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: 'berth start [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    { name: 'attach', short: 'a', type: 'bool', help: 'Attach STDOUT/STDERR and forward signals' },
  ],
  async run(ctx, flags) {
    if (flags.args.length === 0) throw new Error('"berth start" requires at least 1 argument.');
    const client = ctx.client();
    if (flagBool(flags, 'attach')) {
      const name = flags.args[0] as string;
      const info = await client.inspectContainer(name);
      const socket = await client.attachContainer(info.Id, {
        stream: true,
        stdout: true,
        stderr: true,
      });
      const output = pump(ctx, socket, info.Config['Tty'] === true);
      const wait = await client.waitContainer(info.Id, 'next-exit', ctx.signal);
      await client.containerAction(info.Id, 'start');
      await output;
      return wait.result;
    }
    return eachContainer(ctx, flags.args, async (id) => client.containerAction(id, 'start'));
  },
};

/** Prints each name once its action succeeded, as the Docker CLI does. */
function eachContainer(
  ctx: CliContext,
  names: readonly string[],
  action: (name: string) => Promise<void>,
): Promise<number> {
  return eachArgument(ctx, names, async (name) => {
    await action(name);
    ctx.stdout.write(`${name}\n`);
  });
}

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop one or more running containers',
  usage: 'berth stop [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    {
      name: 'time',
      short: 't',
      type: 'int',
      default: -1,
      help: 'Seconds to wait before killing the container',
    },
  ],
  async run(ctx, flags) {
    const t = flagInt(flags, 'time');
    return eachContainer(ctx, flags.args, (id) =>
      ctx.client().containerAction(id, 'stop', { t: t >= 0 ? t : undefined }),
    );
  },
};

export const killCommand: Command = {
  name: 'kill',
  summary: 'Kill one or more running containers',
  usage: 'berth kill [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [{ name: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' }],
  async run(ctx, flags) {
    const signal = flagString(flags, 'signal');
    return eachContainer(ctx, flags.args, (id) =>
      ctx.client().containerAction(id, 'kill', { signal: signal || undefined }),
    );
  },
};

export const rmCommand: Command = {
  name: 'rm',
  summary: 'Remove one or more containers',
  usage: 'berth rm [OPTIONS] CONTAINER [CONTAINER...]',
  flags: [
    {
      name: 'force',
      short: 'f',
      type: 'bool',
      help: 'Force the removal of a running container (uses SIGKILL)',
    },
  ],
  async run(ctx, flags) {
    return eachContainer(ctx, flags.args, (id) =>
      ctx.client().removeContainer(id, { force: flagBool(flags, 'force') }),
    );
  },
};

export const logsCommand: Command = {
  name: 'logs',
  summary: 'Fetch the logs of a container',
  usage: 'berth logs [OPTIONS] CONTAINER',
  maxArgs: 1,
  flags: [
    { name: 'follow', short: 'f', type: 'bool', help: 'Follow log output' },
    {
      name: 'tail',
      short: 'n',
      type: 'string',
      default: 'all',
      help: 'Number of lines to show from the end of the logs',
    },
    { name: 'timestamps', short: 't', type: 'bool', help: 'Show timestamps' },
  ],
  async run(ctx, flags) {
    const name = flags.args[0];
    if (!name) throw new Error('"berth logs" requires exactly 1 argument.');
    const client = ctx.client();
    const info = await client.inspectContainer(name);
    const res = await client.containerLogs(
      info.Id,
      {
        stdout: true,
        stderr: true,
        follow: flagBool(flags, 'follow') || undefined,
        tail: flagString(flags, 'tail'),
        timestamps: flagBool(flags, 'timestamps') || undefined,
      },
      ctx.signal,
    );
    await pump(ctx, res, info.Config['Tty'] === true);
    return 0;
  },
};

export const psCommand: Command = {
  name: 'ps',
  summary: 'List containers',
  usage: 'berth ps [OPTIONS]',
  maxArgs: 0,
  flags: [
    {
      name: 'all',
      short: 'a',
      type: 'bool',
      help: 'Show all containers (default shows just running)',
    },
    {
      name: 'filter',
      short: 'f',
      type: 'list',
      help: 'Filter output based on conditions provided',
    },
    { name: 'format', type: 'string', help: 'Format output using a custom template' },
    { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only display container IDs' },
  ],
  async run(ctx, flags) {
    const list = await ctx.client().listContainers({
      all: flagBool(flags, 'all'),
      filters: parseFilterFlags(flagList(flags, 'filter')),
    });
    const noTrunc = flagBool(flags, 'no-trunc');
    const id = (i: string): string => (noTrunc ? i : shortId(i));
    if (flagBool(flags, 'quiet')) {
      ctx.stdout.write(list.map((c) => `${id(c.Id)}\n`).join(''));
      return 0;
    }
    const rows = list.map((c) => {
      const command = noTrunc || c.Command.length <= 20 ? c.Command : `${c.Command.slice(0, 19)}…`;
      return {
        ID: id(c.Id),
        Image: c.Image,
        Command: JSON.stringify(command),
        RunningFor: ago(c.Created),
        Status: c.Status,
        Ports: '',
        Names: c.Names.map((n) => n.replace(/^\//, '')).join(','),
      };
    });
    const format = flagString(flags, 'format');
    if (format !== '') {
      for (const r of rows) ctx.stdout.write(renderTemplate(format, r) + '\n');
      return 0;
    }
    ctx.stdout.write(
      table(
        ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
        rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names]),
      ),
    );
    return 0;
  },
};

export { RunError };
