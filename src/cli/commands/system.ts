import type { Command } from '../command.js';
import { eventsCommand } from './events.js';
import { infoCommand } from './info.js';

export const systemCommands: Record<string, Command> = {
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
