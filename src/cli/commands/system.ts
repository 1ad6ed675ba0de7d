import type { Command } from '../command.js';
import { eventsCommand } from './events.js';
import { infoCommand } from './info.js';
import { humanSizeLong, table } from '../render/table.js';
import type { Volume } from '../../types/docker/volumes.js';
import type { ContainerSummary } from '../../types/docker/containers.js';
import type { ImageSummary } from '../../types/docker/images.js';

/** The RECLAIMABLE column: the size, and its whole percentage of the total (rounded down). */
function reclaimable(size: number, total: number): string {
  return total > 0
    ? `${humanSizeLong(size)} (${Math.floor((size * 100) / total)}%)`
    : humanSizeLong(size);
}

/** Docker's "Images" line: reclaimable = what the images no container uses hold alone. */
function imagesRow(layersSize: number, images: readonly ImageSummary[]): string[] {
  const used = images.filter((i) => i.Containers > 0);
  const held = used.reduce((s, i) => s + i.Size - Math.max(0, i.SharedSize), 0);
  return [
    'Images',
    String(images.length),
    String(used.length),
    humanSizeLong(layersSize),
    reclaimable(layersSize - held, layersSize),
  ];
}

/** Docker's "Containers" line: active = running, paused or restarting; sizes are SizeRw. */
function containersRow(containers: readonly ContainerSummary[]): string[] {
  const active = (c: ContainerSummary): boolean =>
    c.State === 'running' || c.State === 'paused' || c.State === 'restarting';
  const size = (list: readonly ContainerSummary[]): number =>
    list.reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const total = size(containers);
  return [
    'Containers',
    String(containers.length),
    String(containers.filter(active).length),
    humanSizeLong(total),
    reclaimable(size(containers.filter((c) => !active(c))), total),
  ];
}

/** Docker's "Local Volumes" line: active = used by a container, reclaimable = the unused ones' size. */
function volumesRow(volumes: readonly Volume[]): string[] {
  const size = (list: readonly Volume[]): number =>
    list.reduce((s, v) => s + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const total = size(volumes);
  const active = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length;
  return [
    'Local Volumes',
    String(volumes.length),
    String(active),
    humanSizeLong(total),
    reclaimable(size(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0)), total),
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
    ctx.stdout.write(
      table(
        ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
        [
          imagesRow(df.LayersSize, df.Images),
          containersRow(df.Containers as ContainerSummary[]),
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
