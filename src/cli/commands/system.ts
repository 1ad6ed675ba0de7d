import type { Command } from '../command.js';
import { eventsCommand } from './events.js';
import { infoCommand } from './info.js';
import { humanSize, table } from '../render/table.js';
import type { Volume } from '../../types/docker/volumes.js';

/** Docker's "Local Volumes" line: active = used by a container, reclaimable = the unused ones' size. */
function volumesRow(volumes: readonly Volume[]): string[] {
  const size = (list: readonly Volume[]): number =>
    list.reduce((s, v) => s + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const total = size(volumes);
  const unused = size(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0));
  const pct = total > 0 ? ` (${Math.round((unused / total) * 100)}%)` : '';
  const active = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length;
  return [
    'Local Volumes',
    String(volumes.length),
    String(active),
    humanSize(total),
    `${humanSize(unused)}${pct}`,
  ];
}

const dfCommand: Command = {
  name: 'df',
  summary: 'Show berth disk usage',
  usage: 'berth system df',
  maxArgs: 0,
  flags: [],
  async run(ctx) {
    const df = await ctx.client().diskUsage();
    const imagesSize = df.LayersSize;
    const active = df.Images.filter((i) => i.Containers > 0).length;
    const unused = df.Images.filter((i) => i.Containers === 0).reduce(
      (s, i) => s + i.Size - Math.max(0, i.SharedSize),
      0,
    );
    const pct = imagesSize > 0 ? ` (${Math.round((unused / imagesSize) * 100)}%)` : '';
    ctx.stdout.write(
      table(
        ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
        [
          [
            'Images',
            String(df.Images.length),
            String(active),
            humanSize(imagesSize),
            `${humanSize(unused)}${pct}`,
          ],
          ['Containers', String(df.Containers.length), '0', '0B', '0B'],
          volumesRow(df.Volumes as Volume[]),
          ['Build Cache', '0', '0', '0B', '0B'],
        ],
      ),
    );
    return 0;
  },
};

export const systemCommands: Record<string, Command> = {
  df: dfCommand,
  info: infoCommand,
  events: eventsCommand,
  jobs: {
    name: 'jobs',
    summary: "List the daemon's jobs in flight",
    usage: 'berth system jobs',
    maxArgs: 0,
    flags: [],
    async run(ctx) {
      for (const j of await ctx.client().jobs()) {
        ctx.stdout.write(
          `${j.ID}  ${j.Name.padEnd(20)} ${j.Kind.padEnd(7)} ${j.Status.padEnd(10)} ${j.StartedAt}\n`,
        );
      }
      return 0;
    },
  },
  commands: {
    name: 'commands',
    summary: "List the daemon's job handlers",
    usage: 'berth system commands',
    maxArgs: 0,
    flags: [],
    async run(ctx) {
      for (const c of await ctx.client().commands())
        ctx.stdout.write(`${c.Name.padEnd(24)} ${c.Kind}\n`);
      return 0;
    },
  },
};
