// The prune commands' common shape, as the Docker CLI has it: a question unless -f, the
// filters, the list of what went under a heading, then the space reclaimed (go-units' 4 digits).

import { flagBool, flagList } from '../../lib/flags.js';
import type { CliContext, Command } from '../command.js';
import { humanSizeLong } from '../render/table.js';
import { parseFilterFlags } from './events.js';
import { confirm } from './images.js';

export interface PruneSpec {
  readonly usage: string;
  readonly summary: string;
  readonly filterHelp: string;
  /** The question's first line ("WARNING! This will remove ..."). */
  readonly warning: string;
  /** "Deleted Containers" */
  readonly heading: string;
  readonly prune: (
    ctx: CliContext,
    filters: Record<string, string[]>,
  ) => Promise<{ readonly deleted: readonly string[]; readonly spaceReclaimed: number }>;
}

export function pruneCommand(spec: PruneSpec): Command {
  return {
    name: 'prune',
    summary: spec.summary,
    usage: spec.usage,
    maxArgs: 0,
    flags: [
      { name: 'filter', type: 'list', help: spec.filterHelp },
      { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
    ],
    async run(ctx, flags) {
      if (!flagBool(flags, 'force')) {
        const question = `${spec.warning}\nAre you sure you want to continue? [y/N] `;
        if (!(await confirm(ctx, question))) return 0;
      }
      const { deleted, spaceReclaimed } = await spec.prune(
        ctx,
        parseFilterFlags(flagList(flags, 'filter')),
      );
      if (deleted.length > 0)
        ctx.stdout.write(`${spec.heading}:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
      ctx.stdout.write(
        `Total reclaimed space: ${humanSizeLong(deleted.length > 0 ? spaceReclaimed : 0)}\n`,
      );
      return 0;
    },
  };
}
