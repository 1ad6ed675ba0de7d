// pull, push, login, logout, search: the registry commands of the berth client.

import { flagBool, flagInt, flagList, flagString } from '../../lib/flags.js';
import type { CliContext, Command } from '../command.js';
import {
  configDir,
  credentialKey,
  registryAuthHeader,
  registryOf,
  removeCredentials,
  saveCredentials,
} from '../credentials.js';
import { renderTemplate } from '../render/template.js';
import { table } from '../render/table.js';
import { parseFilterFlags } from './events.js';
import { printMessages } from './images.js';

/** `name[:tag][@digest]` → the name and the `tag` parameter (a digest goes there too). */
function splitName(ref: string): { name: string; tag: string } {
  const at = ref.indexOf('@');
  if (at !== -1) return { name: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: '' };
}

/** The full name Docker prints after a pull: `docker.io/library/busybox:latest`. */
function fullName(name: string): string {
  if (registryOf(name) !== 'docker.io' || name.startsWith('docker.io/')) return name;
  return `docker.io/${name.includes('/') ? '' : 'library/'}${name}`;
}

async function authFor(name: string): Promise<string> {
  return registryAuthHeader(configDir(), credentialKey(registryOf(name)));
}

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Download an image from a registry',
  usage: 'berth pull [OPTIONS] NAME[:TAG|@DIGEST]',
  arity: { min: 1, max: 1 },
  flags: [
    {
      name: 'all-tags',
      short: 'a',
      type: 'bool',
      help: 'Download all tagged images in the repository',
    },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress verbose output' },
    { name: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
  ],
  async run(ctx, flags) {
    const ref = flags.args[0] as string;
    const { name, tag: given } = splitName(ref);
    const all = flagBool(flags, 'all-tags');
    if (all && given !== '') throw new Error("tag can't be used with --all-tags/-a");
    const tag = all ? '' : given || 'latest';
    const messages = ctx.client().pullImage(name, tag, {
      platform: flagString(flags, 'platform'),
      auth: await authFor(name),
      signal: ctx.signal,
    });
    if (flagBool(flags, 'quiet')) {
      for await (const m of messages) if (m.errorDetail) throw new Error(m.errorDetail.message);
    } else await printMessages(ctx, messages);
    const shown = all ? name : ref.includes('@') || given !== '' ? ref : `${name}:latest`;
    ctx.stdout.write(`${fullName(shown)}\n`);
    return 0;
  },
};

export const pushCommand: Command = {
  name: 'push',
  summary: 'Upload an image to a registry',
  usage: 'berth push [OPTIONS] NAME[:TAG]',
  arity: { min: 1, max: 1 },
  flags: [
    {
      name: 'all-tags',
      short: 'a',
      type: 'bool',
      help: 'Push all tags of an image to the repository',
    },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress verbose output' },
  ],
  async run(ctx, flags) {
    const ref = flags.args[0] as string;
    const { name, tag: given } = splitName(ref);
    const all = flagBool(flags, 'all-tags');
    if (all && given !== '') throw new Error("tag can't be used with --all-tags/-a");
    const tag = all ? '' : given || 'latest';
    const messages = ctx.client().pushImage(name, tag, {
      auth: await authFor(name),
      signal: ctx.signal,
    });
    if (flagBool(flags, 'quiet')) {
      for await (const m of messages) if (m.errorDetail) throw new Error(m.errorDetail.message);
      ctx.stdout.write(`${ref}\n`);
    } else await printMessages(ctx, messages);
    return 0;
  },
};

async function readLine(ctx: CliContext, prompt: string, hidden: boolean): Promise<string> {
  ctx.stdout.write(prompt);
  const stdin = ctx.stdin;
  const raw = hidden && stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode?.(true);
  try {
    let line = '';
    for await (const chunk of stdin) {
      const text = (chunk as Buffer).toString('utf8');
      const end = text.search(/[\r\n]/);
      if (end === -1) {
        line += text;
        continue;
      }
      line += text.slice(0, end);
      break;
    }
    return line;
  } finally {
    if (raw) {
      stdin.setRawMode?.(false);
      ctx.stdout.write('\n');
    }
  }
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'Authenticate to a registry',
  usage: 'berth login [OPTIONS] [SERVER]',
  arity: { min: 0, max: 1 },
  flags: [
    { name: 'username', short: 'u', type: 'string', help: 'Username' },
    { name: 'password', short: 'p', type: 'string', help: 'Password' },
    { name: 'password-stdin', type: 'bool', help: 'Take the password from stdin' },
  ],
  async run(ctx, flags) {
    const server = flags.args[0] ?? '';
    const key = credentialKey(server);
    let username = flagString(flags, 'username');
    let password = flagString(flags, 'password');
    if (flagBool(flags, 'password-stdin')) {
      if (password !== '')
        throw new Error('--password and --password-stdin are mutually exclusive');
      if (username === '') throw new Error('Must provide --username with --password-stdin');
      const chunks: Buffer[] = [];
      for await (const c of ctx.stdin) chunks.push(c as Buffer);
      password = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/[\r\n]+$/, '');
    } else if (password !== '') {
      ctx.stderr.write(
        'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n',
      );
    }
    if (username === '' || password === '') {
      if (ctx.stdin.isTTY !== true)
        throw new Error('Cannot perform an interactive login from a non TTY device');
      if (username === '') username = (await readLine(ctx, 'Username: ', false)).trim();
      if (password === '') password = await readLine(ctx, 'Password: ', true);
    }
    if (username === '') throw new Error('Username is required');
    if (password === '') throw new Error('Password is required');
    const answer = await ctx.client().login({ username, password, serveraddress: key });
    await saveCredentials(configDir(), key, username, password);
    ctx.stdout.write(`${answer.Status || 'Login Succeeded'}\n`);
    return 0;
  },
};

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Log out from a registry',
  usage: 'berth logout [SERVER]',
  arity: { min: 0, max: 1 },
  flags: [],
  async run(ctx, flags) {
    const key = credentialKey(flags.args[0] ?? '');
    if (await removeCredentials(configDir(), key))
      ctx.stdout.write(`Removing login credentials for ${key}\n`);
    else ctx.stdout.write(`Not logged in to ${key}\n`);
    return 0;
  },
};

export const searchCommand: Command = {
  name: 'search',
  summary: 'Search for images',
  usage: 'berth search [OPTIONS] TERM',
  arity: { min: 1, max: 1 },
  flags: [
    {
      name: 'filter',
      short: 'f',
      type: 'list',
      help: 'Filter output based on conditions provided',
    },
    { name: 'format', type: 'string', help: 'Pretty-print search using a Go template' },
    { name: 'limit', type: 'int', default: 0, help: 'Max number of search results' },
    { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
  ],
  async run(ctx, flags) {
    const term = flags.args[0] as string;
    const limit = flagInt(flags, 'limit');
    const results = await ctx.client().searchImages(term, {
      limit: limit === 0 ? undefined : limit,
      filters: parseFilterFlags(flagList(flags, 'filter')),
      auth: await authFor(term),
    });
    const format = flagString(flags, 'format');
    if (format !== '') {
      for (const r of results) {
        const view = {
          Name: r.name,
          Description: r.description,
          StarCount: r.star_count,
          IsOfficial: r.is_official,
          IsAutomated: r.is_automated,
        };
        ctx.stdout.write(`${renderTemplate(format, view)}\n`);
      }
      return 0;
    }
    const trunc = !flagBool(flags, 'no-trunc');
    const rows = results.map((r) => {
      const d = r.description.replace(/\n/g, ' ');
      return [
        r.name,
        trunc && [...d].length > 45 ? `${[...d].slice(0, 44).join('')}…` : d,
        String(r.star_count),
        r.is_official ? '[OK]' : '',
      ];
    });
    ctx.stdout.write(table(['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'], rows));
    return 0;
  },
};
