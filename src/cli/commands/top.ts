import type { Command } from '../command.js';
import { table } from '../render/table.js';

export const topCommand: Command = {
  name: 'top',
  summary: 'Display the running processes of a container',
  usage: 'berth top CONTAINER [ps OPTIONS]',
  // Everything after the container is for ps (`berth top c -o pid,comm`).
  interspersed: false,
  flags: [],
  async run(ctx, flags) {
    const [name, ...psArgs] = flags.args;
    if (name === undefined) throw new Error('"berth top" requires at least 1 argument.');
    const list = await ctx.client().topContainer(name, psArgs.join(' '));
    // The Docker CLI's tabwriter here: columns of at least 20, padding 3.
    ctx.stdout.write(table(list.Titles, list.Processes, 20));
    return 0;
  },
};
