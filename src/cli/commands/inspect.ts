// `berth inspect` (a container, else an image, as `docker inspect` looks them up) and
// `berth container inspect`: the daemon's JSON re-indented, or a template per object.

import { ApiError, type BerthClient } from '../../client/client.js';
import { flagBool, flagString, type FlagSpec } from '../../lib/flags.js';
import type { CliContext, Command } from '../command.js';
import { ExitError } from '../errors.js';
import { TemplateError, parseTemplate, renderTemplate } from '../render/template.js';

/** Where `--type` finds the objects berth itself has none of (the daemon says so). */
const OTHER_PATHS: Record<string, (ref: string) => string> = {
  config: (ref) => `/configs/${encodeURIComponent(ref)}`,
  network: (ref) => `/networks/${encodeURIComponent(ref)}`,
  node: (ref) => `/nodes/${encodeURIComponent(ref)}`,
  plugin: (ref) => `/plugins/${encodeURIComponent(ref)}/json`,
  secret: (ref) => `/secrets/${encodeURIComponent(ref)}`,
  service: (ref) => `/services/${encodeURIComponent(ref)}`,
  task: (ref) => `/tasks/${encodeURIComponent(ref)}`,
  volume: (ref) => `/volumes/${encodeURIComponent(ref)}`,
};
const KINDS = [...Object.keys(OTHER_PATHS), 'container', 'image'].sort();

/** A `--type`, or 'any': a container, else an image. */
type Kind = string;

/** The object `ref` names, or the message the Docker CLI prints when there is none. */
async function lookUp(
  client: BerthClient,
  ref: string,
  kind: Kind,
  size: boolean,
): Promise<{ found: unknown } | { error: string }> {
  const notFound = (err: unknown): boolean => err instanceof ApiError && err.status === 404;
  const other = OTHER_PATHS[kind];
  if (other) {
    try {
      return { found: await client.json<unknown>('GET', other(ref)) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return { error: `Error response from daemon: ${err.message}` };
    }
  }
  try {
    if (kind !== 'image') return { found: await client.inspectContainer(ref, { size }) };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (kind === 'container' || !notFound(err))
      return { error: `Error response from daemon: ${err.message}` };
  }
  try {
    return { found: await client.inspectImage(ref) };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (kind === 'any' && notFound(err)) return { error: `Error: No such object: ${ref}` };
    return { error: `Error response from daemon: ${err.message}` };
  }
}

export async function inspectOf(
  ctx: CliContext,
  refs: readonly string[],
  options: { kind: Kind; format: string; size: boolean },
): Promise<number> {
  const template = options.format === '' || options.format === 'json' ? undefined : options.format;
  if (template !== undefined) {
    try {
      parseTemplate(template);
    } catch (err) {
      if (err instanceof TemplateError) throw new ExitError(err.message, 64);
      throw err;
    }
  }
  if (options.size && options.kind === 'image')
    ctx.stderr.write('WARNING: --size ignored for image\n');
  const found: unknown[] = [];
  const errors: string[] = [];
  let rendered = '';
  for (const ref of refs) {
    const result = await lookUp(ctx.client(), ref, options.kind, options.size);
    if ('error' in result) {
      errors.push(result.error);
    } else if (template === undefined) {
      found.push(result.found);
    } else {
      try {
        rendered += `${renderTemplate(template, result.found, { missingKey: 'error' })}\n`;
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        errors.push(err.message);
      }
    }
  }
  if (template !== undefined) ctx.stdout.write(rendered === '' ? '\n' : rendered);
  else if (options.format === 'json')
    ctx.stdout.write(`[${found.map((f) => JSON.stringify(f)).join(',')}]\n`);
  else ctx.stdout.write(found.length > 0 ? `${JSON.stringify(found, null, 4)}\n` : '[]\n');
  if (errors.length > 0) throw new ExitError(errors.join('\n'), 1);
  return 0;
}

const FORMAT: FlagSpec = {
  name: 'format',
  short: 'f',
  type: 'string',
  help: "Format output using a custom template: 'json' or a Go template",
};

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Return low-level information on Docker objects',
  usage: 'berth inspect [OPTIONS] NAME|ID [NAME|ID...]',
  arity: { min: 1 },
  flags: [
    FORMAT,
    {
      name: 'size',
      short: 's',
      type: 'bool',
      help: 'Display total file sizes if the type is container',
    },
    { name: 'type', type: 'string', help: 'Only inspect objects of the given type' },
  ],
  async run(ctx, flags) {
    const type = flagString(flags, 'type');
    if (type !== '' && !KINDS.includes(type))
      throw new ExitError(
        `unknown type: "${type}": must be one of ${KINDS.map((k) => `"${k}"`).join(', ')}`,
        1,
      );
    return inspectOf(ctx, flags.args, {
      kind: type || 'any',
      format: flagString(flags, 'format'),
      size: flagBool(flags, 'size'),
    });
  },
};

export const containerInspectCommand: Command = {
  name: 'inspect',
  summary: 'Display detailed information on one or more containers',
  usage: 'berth container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  arity: { min: 1 },
  flags: [FORMAT, { name: 'size', short: 's', type: 'bool', help: 'Display total file sizes' }],
  async run(ctx, flags) {
    return inspectOf(ctx, flags.args, {
      kind: 'container',
      format: flagString(flags, 'format'),
      size: flagBool(flags, 'size'),
    });
  },
};
