import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { flagBool, flagList, flagString } from '../../lib/flags.js';
import type { JsonMessage } from '../../types/docker/images.js';
import type { CliContext, Command } from '../command.js';
import { eachArgument } from '../each-argument.js';
import { ProgressRenderer } from '../render/progress.js';
import { renderTemplate } from '../render/template.js';
import { ago, humanSize, humanSizeLong, shortId, table } from '../render/table.js';
import { parseFilterFlags } from './events.js';

/** A failure inside a JSON message stream: the CLI exits with its code, as Docker's does. */
export class StreamError extends Error {
  override readonly name = 'StreamError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * Prints a JSON message stream the way the Docker CLI does: progress bars redrawn in place on a
 * terminal, plain status lines otherwise.
 */
export async function printMessages(
  ctx: CliContext,
  messages: AsyncIterable<JsonMessage>,
): Promise<JsonMessage[]> {
  const seen: JsonMessage[] = [];
  const tty =
    (ctx.stdout as { isTTY?: boolean }).isTTY === true
      ? new ProgressRenderer(ctx.stdout)
      : undefined;
  for await (const m of messages) {
    seen.push(m);
    if (m.errorDetail) throw new StreamError(m.errorDetail.message, m.errorDetail.code ?? 1);
    if (tty) {
      tty.render(m);
      continue;
    }
    if (m.aux) continue;
    if (m.stream !== undefined) {
      ctx.stdout.write(m.stream);
    } else if (
      m.status !== undefined &&
      !(m.progressDetail && m.progressDetail.current !== undefined)
    ) {
      ctx.stdout.write(m.id ? `${m.id}: ${m.status}\n` : `${m.status}\n`);
    }
  }
  return seen;
}

function splitRepoTag(target: string): { repo: string; tag: string } {
  const colon = target.lastIndexOf(':');
  if (colon > target.lastIndexOf('/'))
    return { repo: target.slice(0, colon), tag: target.slice(colon + 1) };
  return { repo: target, tag: '' };
}

const FORMAT = {
  name: 'format',
  type: 'string',
  help: 'Format output using a custom template',
} as const;
const FILTER = {
  name: 'filter',
  short: 'f',
  type: 'list',
  help: 'Filter output based on conditions provided',
} as const;

export const imagesCommand: Command = {
  name: 'images',
  summary: 'List images',
  usage: 'berth images [OPTIONS] [REPOSITORY[:TAG]]',
  maxArgs: 1,
  flags: [
    {
      name: 'all',
      short: 'a',
      type: 'bool',
      help: 'Show all images (default hides intermediate images)',
    },
    { name: 'digests', type: 'bool', help: 'Show digests' },
    FILTER,
    FORMAT,
    { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only show image IDs' },
  ],
  async run(ctx, flags) {
    const filters = parseFilterFlags(flagList(flags, 'filter'));
    const repo = flags.args[0];
    if (repo) (filters['reference'] ??= []).push(repo);
    const list = await ctx.client().listImages({ all: flagBool(flags, 'all'), filters });
    const noTrunc = flagBool(flags, 'no-trunc');
    const id = (i: string): string => (noTrunc ? i : shortId(i));
    const rows: {
      Repository: string;
      Tag: string;
      Digest: string;
      ID: string;
      CreatedSince: string;
      Size: string;
      CreatedAt: string;
    }[] = [];
    for (const image of list) {
      const tags = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      const base = {
        Digest:
          (image.RepoDigests ?? []).find((d) => d !== '<none>@<none>')?.split('@')[1] ?? '<none>',
        ID: id(image.Id),
        CreatedSince: ago(image.Created),
        CreatedAt: new Date(image.Created * 1000).toISOString(),
        Size: humanSize(image.Size),
      };
      if (tags.length === 0) rows.push({ Repository: '<none>', Tag: '<none>', ...base });
      for (const t of tags) {
        const { repo: r, tag } = splitRepoTag(t);
        rows.push({ Repository: r, Tag: tag, ...base });
      }
    }
    if (flagBool(flags, 'quiet')) {
      ctx.stdout.write(rows.map((r) => `${r.ID}\n`).join(''));
      return 0;
    }
    const format = flagString(flags, 'format');
    if (format !== '') {
      for (const r of rows)
        ctx.stdout.write(
          (format === 'json' ? JSON.stringify(r) : renderTemplate(format, r)) + '\n',
        );
      return 0;
    }
    const digests = flagBool(flags, 'digests');
    const header = [
      'REPOSITORY',
      'TAG',
      ...(digests ? ['DIGEST'] : []),
      'IMAGE ID',
      'CREATED',
      'SIZE',
    ];
    ctx.stdout.write(
      table(
        header,
        rows.map((r) => [
          r.Repository,
          r.Tag,
          ...(digests ? [r.Digest] : []),
          r.ID,
          r.CreatedSince,
          r.Size,
        ]),
      ),
    );
    return 0;
  },
};

export const imageInspectCommand: Command = {
  name: 'inspect',
  summary: 'Display detailed information on one or more images',
  usage: 'berth image inspect [OPTIONS] IMAGE [IMAGE...]',
  flags: [{ ...FORMAT, short: 'f' }],
  async run(ctx, flags) {
    if (flags.args.length === 0)
      throw new Error('"berth image inspect" requires at least 1 argument.');
    const format = flagString(flags, 'format');
    const found: unknown[] = [];
    let failed = false;
    for (const name of flags.args) {
      try {
        found.push(await ctx.client().inspectImage(name));
      } catch (err) {
        if (!(
          err instanceof Error &&
          'status' in err &&
          (err as { status: number }).status === 404
        ))
          throw err;
        ctx.stderr.write(`Error response from daemon: No such image: ${name}\n`);
        failed = true;
      }
    }
    if (format !== '') {
      for (const item of found) ctx.stdout.write(renderTemplate(format, item) + '\n');
    } else {
      ctx.stdout.write(JSON.stringify(found, null, 4) + '\n');
    }
    return failed ? 1 : 0;
  },
};

export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the history of an image',
  usage: 'berth history [OPTIONS] IMAGE',
  maxArgs: 1,
  flags: [
    FORMAT,
    {
      name: 'human',
      short: 'H',
      type: 'bool',
      default: true,
      help: 'Print sizes and dates in human readable format',
    },
    { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only show image IDs' },
  ],
  async run(ctx, flags) {
    const name = flags.args[0];
    if (!name) throw new Error('"berth history" requires exactly 1 argument.');
    const rows = await ctx.client().imageHistory(name);
    const noTrunc = flagBool(flags, 'no-trunc');
    const id = (i: string): string => (i === '<missing>' || noTrunc ? i : shortId(i));
    if (flagBool(flags, 'quiet')) {
      ctx.stdout.write(rows.map((r) => `${id(r.Id)}\n`).join(''));
      return 0;
    }
    const human = flagBool(flags, 'human');
    const createdBy = (s: string): string => {
      const text = s.replace(/\t/g, ' ');
      return noTrunc || text.length <= 45 ? text : `${text.slice(0, 44)}…`;
    };
    ctx.stdout.write(
      table(
        ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
        rows.map((r) => [
          id(r.Id),
          human ? ago(r.Created) : new Date(r.Created * 1000).toISOString(),
          createdBy(r.CreatedBy),
          human ? humanSize(r.Size) : String(r.Size),
          r.Comment,
        ]),
      ),
    );
    return 0;
  },
};

export const tagCommand: Command = {
  name: 'tag',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  usage: 'berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  maxArgs: 2,
  flags: [],
  async run(ctx, flags) {
    const [source, target] = flags.args;
    if (!source || !target) throw new Error('"berth tag" requires exactly 2 arguments.');
    const { repo, tag } = splitRepoTag(target);
    await ctx.client().tagImage(source, repo, tag);
    return 0;
  },
};

export const rmiCommand: Command = {
  name: 'rmi',
  summary: 'Remove one or more images',
  usage: 'berth rmi [OPTIONS] IMAGE [IMAGE...]',
  flags: [
    { name: 'force', short: 'f', type: 'bool', help: 'Force removal of the image' },
    { name: 'no-prune', type: 'bool', help: 'Do not delete untagged parents' },
  ],
  async run(ctx, flags) {
    if (flags.args.length === 0) throw new Error('"berth rmi" requires at least 1 argument.');
    return eachArgument(ctx, flags.args, async (name) => {
      const items = await ctx.client().removeImage(name, {
        force: flagBool(flags, 'force'),
        noPrune: flagBool(flags, 'no-prune'),
      });
      for (const item of items) {
        ctx.stdout.write(
          'Untagged' in item ? `Untagged: ${item.Untagged}\n` : `Deleted: ${item.Deleted}\n`,
        );
      }
    });
  },
};

export const loadCommand: Command = {
  name: 'load',
  summary: 'Load an image from a tar archive or STDIN',
  usage: 'berth load [OPTIONS]',
  maxArgs: 0,
  flags: [
    {
      name: 'input',
      short: 'i',
      type: 'string',
      help: 'Read from tar archive file, instead of STDIN',
    },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress the load output' },
  ],
  async run(ctx, flags) {
    const input = flagString(flags, 'input');
    if (input === '' && process.stdin.isTTY) {
      throw new Error('requested load from stdin, but stdin is empty');
    }
    const source = input === '' ? process.stdin : createReadStream(input);
    await printMessages(
      ctx,
      ctx.client().loadImages(source, {
        quiet: flagBool(flags, 'quiet') || !process.stdout.isTTY,
        signal: ctx.signal,
      }),
    );
    return 0;
  },
};

export const saveCommand: Command = {
  name: 'save',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  usage: 'berth save [OPTIONS] IMAGE [IMAGE...]',
  flags: [
    { name: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' },
  ],
  async run(ctx, flags) {
    if (flags.args.length === 0) throw new Error('"berth save" requires at least 1 argument.');
    const output = flagString(flags, 'output');
    if (output === '' && process.stdout.isTTY) {
      throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const res = await ctx.client().saveImages(flags.args, ctx.signal);
    await pipeline(res, output === '' ? process.stdout : createWriteStream(output));
    return 0;
  },
};

export const importCommand: Command = {
  name: 'import',
  summary: 'Import the contents from a tarball to create a filesystem image',
  usage: 'berth import [OPTIONS] file|- [REPOSITORY[:TAG]]',
  maxArgs: 2,
  flags: [
    {
      name: 'change',
      short: 'c',
      type: 'list',
      help: 'Apply Dockerfile instruction to the created image',
    },
    { name: 'message', short: 'm', type: 'string', help: 'Set commit message for imported image' },
    {
      name: 'platform',
      type: 'string',
      help: 'Set platform if server is multi-platform capable',
      hidden: true,
    },
  ],
  async run(ctx, flags) {
    const [file, target] = flags.args;
    if (!file) throw new Error('"berth import" requires at least 1 argument.');
    const source = file === '-' ? process.stdin : createReadStream(file);
    const messages = ctx.client().importImage(source, {
      repo: target,
      changes: flagList(flags, 'change'),
      message: flagString(flags, 'message'),
      signal: ctx.signal,
    });
    await printMessages(ctx, messages);
    return 0;
  },
};

export const imagePruneCommand: Command = {
  name: 'prune',
  summary: 'Remove unused images',
  usage: 'berth image prune [OPTIONS]',
  maxArgs: 0,
  flags: [
    {
      name: 'all',
      short: 'a',
      type: 'bool',
      help: 'Remove all unused images, not just dangling ones',
    },
    { ...FILTER, short: undefined },
    { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    const filters = parseFilterFlags(flagList(flags, 'filter'));
    filters['dangling'] = [flagBool(flags, 'all') ? 'false' : 'true'];
    if (!flagBool(flags, 'force')) {
      const warning = flagBool(flags, 'all')
        ? 'WARNING! This will remove all images without at least one container associated to them.'
        : 'WARNING! This will remove all dangling images.';
      if (!(await confirm(ctx, `${warning}\nAre you sure you want to continue? [y/N] `))) return 0;
    }
    const result = await ctx.client().pruneImages(filters);
    if (result.ImagesDeleted && result.ImagesDeleted.length > 0) {
      ctx.stdout.write('Deleted Images:\n');
      for (const item of result.ImagesDeleted) {
        ctx.stdout.write(
          'Untagged' in item ? `untagged: ${item.Untagged}\n` : `deleted: ${item.Deleted}\n`,
        );
      }
      ctx.stdout.write('\n');
    }
    ctx.stdout.write(`Total reclaimed space: ${humanSizeLong(result.SpaceReclaimed)}\n`);
    return 0;
  },
};

export async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  ctx.stdout.write(question);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if ((chunk as Buffer).includes(10)) break;
  }
  return /^y(es)?$/i.test(Buffer.concat(chunks).toString().trim());
}

export const imageCommands: Record<string, Command> = {
  ls: { ...imagesCommand, name: 'ls', usage: 'berth image ls [OPTIONS] [REPOSITORY[:TAG]]' },
  inspect: imageInspectCommand,
  history: historyCommand,
  tag: tagCommand,
  rm: { ...rmiCommand, name: 'rm', usage: 'berth image rm [OPTIONS] IMAGE [IMAGE...]' },
  load: loadCommand,
  save: saveCommand,
  import: importCommand,
  prune: imagePruneCommand,
};
