// `berth volume create|ls|inspect|rm|prune`, with the Docker CLI's output and exit codes.

import {
  createVolume,
  inspectVolume,
  listVolumes,
  pruneVolumes,
  removeVolume,
} from '../../client/volumes.js';
import { ApiError } from '../../client/client.js';
import { flagBool, flagList, flagString } from '../../lib/flags.js';
import type { Command } from '../command.js';
import { eachArgument } from '../each-argument.js';
import { renderTemplate } from '../render/template.js';
import { table } from '../render/table.js';
import { parseFilterFlags } from './events.js';
import { pruneCommand } from './prune.js';

/** `k=v` flag values as a map; a value without `=` maps to ''. */
function keyValues(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((v): [string, string] => {
      const eq = v.indexOf('=');
      return eq === -1 ? [v, ''] : [v.slice(0, eq), v.slice(eq + 1)];
    }),
  );
}

const createCommand: Command = {
  name: 'create',
  summary: 'Create a volume',
  usage: 'berth volume create [OPTIONS] [VOLUME]',
  maxArgs: 1,
  flags: [
    {
      name: 'driver',
      short: 'd',
      type: 'string',
      default: 'local',
      help: 'Specify volume driver name',
    },
    { name: 'label', type: 'list', help: 'Set metadata for a volume' },
    {
      name: 'opt',
      short: 'o',
      type: 'list',
      placeholder: 'map',
      help: 'Set driver specific options',
    },
    { name: 'name', type: 'string', hidden: true, help: 'Specify volume name' },
  ],
  async run(ctx, flags) {
    const name = flags.args[0] ?? flagString(flags, 'name');
    const v = await createVolume(ctx.client(), {
      name,
      driver: flagString(flags, 'driver'),
      labels: keyValues(flagList(flags, 'label')),
      options: keyValues(flagList(flags, 'opt')),
    });
    ctx.stdout.write(`${v.Name}\n`);
    return 0;
  },
};

const lsCommand: Command = {
  name: 'ls',
  summary: 'List volumes',
  usage: 'berth volume ls [OPTIONS]',
  maxArgs: 0,
  flags: [
    {
      name: 'filter',
      short: 'f',
      type: 'list',
      help: "Provide filter values (e.g. 'dangling=true')",
    },
    { name: 'format', type: 'string', help: 'Format output using a custom template' },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only display volume names' },
  ],
  async run(ctx, flags) {
    const list = await listVolumes(ctx.client(), parseFilterFlags(flagList(flags, 'filter')));
    const volumes = [...list.Volumes].sort((a, b) => (a.Name < b.Name ? -1 : 1));
    const format = flagString(flags, 'format');
    if (flagBool(flags, 'quiet')) {
      for (const v of volumes) ctx.stdout.write(`${v.Name}\n`);
    } else if (format !== '') {
      for (const v of volumes)
        ctx.stdout.write(
          (format === 'json' ? JSON.stringify(v) : renderTemplate(format, v)) + '\n',
        );
    } else {
      ctx.stdout.write(
        table(
          ['DRIVER', 'VOLUME NAME'],
          volumes.map((v) => [v.Driver, v.Name]),
        ),
      );
    }
    return 0;
  },
};

const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Display detailed information on one or more volumes',
  usage: 'berth volume inspect [OPTIONS] VOLUME [VOLUME...]',
  flags: [
    { name: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' },
  ],
  async run(ctx, flags) {
    if (flags.args.length === 0)
      throw new Error('"berth volume inspect" requires at least 1 argument.');
    const found: unknown[] = [];
    let failed = false;
    for (const name of flags.args) {
      try {
        found.push(await inspectVolume(ctx.client(), name));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        ctx.stderr.write(`Error response from daemon: ${err.message}\n`);
        failed = true;
      }
    }
    const format = flagString(flags, 'format');
    if (format !== '') {
      for (const item of found) ctx.stdout.write(renderTemplate(format, item) + '\n');
    } else {
      ctx.stdout.write(JSON.stringify(found, null, 4) + '\n');
    }
    return failed ? 1 : 0;
  },
};

const rmCommand: Command = {
  name: 'rm',
  summary: 'Remove one or more volumes',
  usage: 'berth volume rm [OPTIONS] VOLUME [VOLUME...]',
  flags: [
    { name: 'force', short: 'f', type: 'bool', help: 'Force the removal of one or more volumes' },
  ],
  async run(ctx, flags) {
    if (flags.args.length === 0) throw new Error('"berth volume rm" requires at least 1 argument.');
    return eachArgument(ctx, flags.args, async (name) => {
      await removeVolume(ctx.client(), name, { force: flagBool(flags, 'force') });
      ctx.stdout.write(`${name}\n`);
    });
  },
};

const volumePruneCommand: Command = pruneCommand({
  usage: 'berth volume prune [OPTIONS]',
  summary: 'Remove unused local volumes',
  filterHelp: "Provide filter values (e.g. 'label=<label>')",
  warning: 'WARNING! This will remove anonymous local volumes not used by at least one container.',
  heading: 'Deleted Volumes',
  prune: async (ctx, filters) => {
    const result = await pruneVolumes(ctx.client(), filters);
    return { deleted: result.VolumesDeleted, spaceReclaimed: result.SpaceReclaimed };
  },
});

export const volumeCommands: Record<string, Command> = {
  create: createCommand,
  ls: lsCommand,
  inspect: inspectCommand,
  rm: rmCommand,
  prune: volumePruneCommand,
};
