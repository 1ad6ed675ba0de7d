import { flagBool, flagInt, flagList, flagString } from '../../lib/flags.js';
import type { CliContext, Command } from '../command.js';
import { eachArgument } from '../each-argument.js';
import { renderTemplate } from '../render/template.js';
import { ago, humanSize, shortId, table } from '../render/table.js';
import type { ContainerSummary } from '../../types/docker/containers.js';
import { pruneCommand } from './prune.js';
import { FrameDemuxer } from '../session.js';
import { parseFilterFlags } from './events.js';

async function pump(ctx: CliContext, source: AsyncIterable<unknown>, tty: boolean): Promise<void> {
  const demux = new FrameDemuxer(ctx);
  for await (const chunk of source) {
    if (tty) ctx.stdout.write(chunk as Buffer);
    else demux.push(chunk as Buffer);
  }
}

/** Prints each name once its action succeeded, as the Docker CLI does. */
export function eachContainer(
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
    {
      name: 'volumes',
      short: 'v',
      type: 'bool',
      help: 'Remove anonymous volumes associated with the container',
    },
  ],
  async run(ctx, flags) {
    return eachContainer(ctx, flags.args, (id) =>
      ctx.client().removeContainer(id, {
        force: flagBool(flags, 'force'),
        volumes: flagBool(flags, 'volumes'),
      }),
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

/** ps's SIZE: what the container wrote, and with its image ("2B (virtual 1.99MB)"). */
function sizeText(c: ContainerSummary): string {
  const rw = humanSize(c.SizeRw ?? 0);
  return (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs ?? 0)})` : rw;
}

export const containerPruneCommand: Command = pruneCommand({
  usage: 'berth container prune [OPTIONS]',
  summary: 'Remove all stopped containers',
  filterHelp: "Provide filter values (e.g. 'until=<timestamp>')",
  warning: 'WARNING! This will remove all stopped containers.',
  heading: 'Deleted Containers',
  prune: async (ctx, filters) => {
    const result = await ctx.client().pruneContainers(filters);
    return { deleted: result.ContainersDeleted ?? [], spaceReclaimed: result.SpaceReclaimed };
  },
});

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
    { name: 'size', short: 's', type: 'bool', help: 'Display total file sizes' },
  ],
  async run(ctx, flags) {
    const format = flagString(flags, 'format');
    const sized = flagBool(flags, 'size') || /\.Size\b/.test(format);
    const list = await ctx.client().listContainers({
      all: flagBool(flags, 'all'),
      size: sized,
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
        Size: sizeText(c),
      };
    });
    if (format !== '') {
      for (const r of rows) ctx.stdout.write(renderTemplate(format, r) + '\n');
      return 0;
    }
    const header = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'];
    ctx.stdout.write(
      table(
        sized ? [...header, 'SIZE'] : header,
        rows.map((r) => [
          r.ID,
          r.Image,
          r.Command,
          r.RunningFor,
          r.Status,
          r.Ports,
          r.Names,
          ...(sized ? [r.Size] : []),
        ]),
      ),
    );
    return 0;
  },
};
