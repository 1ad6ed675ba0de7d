// `berth diff` and `berth commit`: a container's file system changes, and an image made of them.

import { flagBool, flagList, flagString } from '../../lib/flags.js';
import type { Command } from '../command.js';

const KIND_LETTERS = ['C', 'A', 'D'];

export const diffCommand: Command = {
  name: 'diff',
  summary: "Inspect changes to files or directories on a container's filesystem",
  usage: 'berth diff CONTAINER',
  flags: [],
  async run(ctx, flags) {
    if (flags.args.length !== 1) throw new Error('"berth diff" requires exactly 1 argument.');
    const changes = await ctx.client().containerChanges(flags.args[0] as string);
    ctx.stdout.write(
      (changes ?? []).map((c) => `${KIND_LETTERS[c.Kind] ?? '?'} ${c.Path}\n`).join(''),
    );
    return 0;
  },
};

export const commitCommand: Command = {
  name: 'commit',
  summary: "Create a new image from a container's changes",
  usage: 'berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  // Flags end at the container, as in the Docker CLI.
  interspersed: false,
  flags: [
    {
      name: 'author',
      short: 'a',
      type: 'string',
      help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
    },
    {
      name: 'change',
      short: 'c',
      type: 'list',
      help: 'Apply Dockerfile instruction to the created image',
    },
    { name: 'message', short: 'm', type: 'string', help: 'Commit message' },
    {
      name: 'pause',
      short: 'p',
      type: 'bool',
      default: true,
      help: 'Pause container during commit',
    },
  ],
  async run(ctx, flags) {
    const [container, reference] = flags.args;
    if (container === undefined || flags.args.length > 2)
      throw new Error('"berth commit" requires at least 1 and at most 2 arguments.');
    const { repo, tag } = splitRepoTag(reference ?? '');
    const { Id } = await ctx.client().commitContainer({
      container,
      repo,
      tag,
      comment: flagString(flags, 'message'),
      author: flagString(flags, 'author'),
      changes: flagList(flags, 'change'),
      pause: flagBool(flags, 'pause'),
    });
    ctx.stdout.write(`${Id}\n`);
    return 0;
  },
};

/** `repo:tag` (the colon after the last slash; a registry port is not a tag). */
function splitRepoTag(reference: string): { repo: string; tag: string } {
  if (reference.includes('@')) return { repo: reference, tag: '' };
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/'))
    return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repo: reference, tag: '' };
}
