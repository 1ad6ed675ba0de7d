// `berth network ls|create|inspect|rm|prune|connect|disconnect`, as the Docker CLI's.

import { toApiError, type RequestOptions } from '../../client/client.js';
import { flagBool, flagList, flagString, type FlagSpec } from '../../lib/flags.js';
import type { NetworkCreateResponse, NetworkResource } from '../../types/docker/networks.js';
import type { CliContext, Command } from '../command.js';
import { eachArgument } from '../each-argument.js';
import { RunError } from '../errors.js';
import { renderTemplate } from '../render/template.js';
import { table } from '../render/table.js';
import { parseFilterFlags } from './events.js';
import { inspectOf } from './inspect.js';

const FILTER: FlagSpec = {
  name: 'filter',
  short: 'f',
  type: 'list',
  help: 'Provide filter values (e.g. "driver=bridge")',
};

/** A request whose answer has no body; an error status is thrown as the daemon's error. */
async function send(
  ctx: CliContext,
  method: string,
  target: string,
  options: RequestOptions = {},
): Promise<void> {
  const res = await ctx.client().request(method, target, options);
  if (res.status >= 400) throw toApiError(res);
}

function path(ref: string): string {
  return `/networks/${encodeURIComponent(ref)}`;
}

const lsCommand: Command = {
  name: 'ls',
  summary: 'List networks',
  usage: 'berth network ls [OPTIONS]',
  maxArgs: 0,
  flags: [
    FILTER,
    { name: 'format', type: 'string', help: 'Format output using a custom template' },
    { name: 'no-trunc', type: 'bool', help: 'Do not truncate the output' },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only display network IDs' },
  ],
  async run(ctx, flags) {
    const filters = parseFilterFlags(flagList(flags, 'filter'));
    const list = await ctx.client().json<NetworkResource[]>('GET', '/networks', {
      query: { filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined },
    });
    const id = (i: string): string => (flagBool(flags, 'no-trunc') ? i : i.slice(0, 12));
    if (flagBool(flags, 'quiet')) {
      ctx.stdout.write(list.map((n) => `${id(n.Id)}\n`).join(''));
      return 0;
    }
    const rows = list.map((n) => ({
      ID: id(n.Id),
      Name: n.Name,
      Driver: n.Driver,
      Scope: n.Scope,
      IPv6: String(n.EnableIPv6),
      Internal: String(n.Internal),
      CreatedAt: n.Created,
      Labels: Object.entries(n.Labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    }));
    const format = flagString(flags, 'format');
    if (format !== '') {
      for (const r of rows)
        ctx.stdout.write(
          (format === 'json' ? JSON.stringify(r) : renderTemplate(format, r)) + '\n',
        );
      return 0;
    }
    ctx.stdout.write(
      table(
        ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'],
        rows.map((r) => [r.ID, r.Name, r.Driver, r.Scope]),
      ),
    );
    return 0;
  },
};

/** `key=value` options (--label, --opt). */
function keyValues(list: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    list.map((l) => {
      const eq = l.indexOf('=');
      return eq === -1 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
    }),
  );
}

const createCommand: Command = {
  name: 'create',
  summary: 'Create a network',
  usage: 'berth network create [OPTIONS] NETWORK',
  arity: { min: 1, max: 1 },
  flags: [
    { name: 'attachable', type: 'bool', help: 'Enable manual container attachment' },
    {
      name: 'driver',
      short: 'd',
      type: 'string',
      default: 'bridge',
      help: 'Driver to manage the Network',
    },
    { name: 'gateway', type: 'list', help: 'IPv4 Gateway for the master subnet' },
    { name: 'internal', type: 'bool', help: 'Restrict external access to the network' },
    { name: 'ip-range', type: 'list', help: 'Allocate container ip from a sub-range' },
    { name: 'label', type: 'list', help: 'Set metadata on a network' },
    { name: 'opt', short: 'o', type: 'list', help: 'Set driver specific options' },
    {
      name: 'subnet',
      type: 'list',
      help: 'Subnet in CIDR format that represents a network segment',
    },
  ],
  async run(ctx, flags) {
    const subnets = flagList(flags, 'subnet');
    const gateways = flagList(flags, 'gateway');
    const ranges = flagList(flags, 'ip-range');
    if (gateways.length > subnets.length || ranges.length > subnets.length)
      throw new RunError('every ip-range or gateway must have a corresponding subnet');
    const created = await ctx.client().json<NetworkCreateResponse>('POST', '/networks/create', {
      body: {
        Name: flags.args[0],
        Driver: flagString(flags, 'driver'),
        Internal: flagBool(flags, 'internal'),
        Attachable: flagBool(flags, 'attachable'),
        Options: keyValues(flagList(flags, 'opt')),
        Labels: keyValues(flagList(flags, 'label')),
        IPAM: {
          Driver: 'default',
          Options: {},
          Config: subnets.map((s, i) => ({
            Subnet: s,
            ...(ranges[i] ? { IPRange: ranges[i] } : {}),
            ...(gateways[i] ? { Gateway: gateways[i] } : {}),
          })),
        },
      },
    });
    if (created.Warning) ctx.stderr.write(`${created.Warning}\n`);
    ctx.stdout.write(`${created.Id}\n`);
    return 0;
  },
};

const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Display detailed information on one or more networks',
  usage: 'berth network inspect [OPTIONS] NETWORK [NETWORK...]',
  arity: { min: 1 },
  flags: [
    {
      name: 'format',
      short: 'f',
      type: 'string',
      help: "Format output using a custom template: 'json' or a Go template",
    },
  ],
  run: (ctx, flags) =>
    inspectOf(ctx, flags.args, {
      kind: 'network',
      format: flagString(flags, 'format'),
      size: false,
    }),
};

const rmCommand: Command = {
  name: 'rm',
  summary: 'Remove one or more networks',
  usage: 'berth network rm NETWORK [NETWORK...]',
  arity: { min: 1 },
  flags: [],
  run: (ctx, flags) =>
    eachArgument(ctx, flags.args, async (name) => {
      await send(ctx, 'DELETE', path(name));
      ctx.stdout.write(`${name}\n`);
    }),
};

const pruneCommand: Command = {
  name: 'prune',
  summary: 'Remove all unused networks',
  usage: 'berth network prune [OPTIONS]',
  maxArgs: 0,
  flags: [
    { name: 'filter', type: 'list', help: 'Provide filter values (e.g. "until=<timestamp>")' },
    { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    if (!flagBool(flags, 'force') && !(await confirm(ctx))) return 0;
    const filters = parseFilterFlags(flagList(flags, 'filter'));
    const result = await ctx
      .client()
      .json<{ NetworksDeleted: string[] | null }>('POST', '/networks/prune', {
        query: { filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined },
      });
    const deleted = result.NetworksDeleted ?? [];
    if (deleted.length > 0) ctx.stdout.write(`Deleted Networks:\n${deleted.join('\n')}\n\n`);
    return 0;
  },
};

async function confirm(ctx: CliContext): Promise<boolean> {
  ctx.stdout.write(
    'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ',
  );
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    if (chunk.includes(10)) break;
  }
  return /^y(es)?$/i.test(Buffer.concat(chunks).toString().trim());
}

const connectCommand: Command = {
  name: 'connect',
  summary: 'Connect a container to a network',
  usage: 'berth network connect [OPTIONS] NETWORK CONTAINER',
  arity: { min: 2, max: 2 },
  flags: [
    { name: 'alias', type: 'list', help: 'Add network-scoped alias for the container' },
    { name: 'ip', type: 'string', help: 'IPv4 address (e.g., "172.30.100.104")' },
    { name: 'link', type: 'list', help: 'Add link to another container' },
  ],
  async run(ctx, flags) {
    const [network = '', container = ''] = flags.args;
    const ip = flagString(flags, 'ip');
    await send(ctx, 'POST', `${path(network)}/connect`, {
      body: {
        Container: container,
        EndpointConfig: {
          IPAMConfig: ip ? { IPv4Address: ip } : {},
          Links: flagList(flags, 'link').length > 0 ? flagList(flags, 'link') : null,
          Aliases: flagList(flags, 'alias'),
        },
      },
    });
    return 0;
  },
};

const disconnectCommand: Command = {
  name: 'disconnect',
  summary: 'Disconnect a container from a network',
  usage: 'berth network disconnect [OPTIONS] NETWORK CONTAINER',
  arity: { min: 2, max: 2 },
  flags: [
    {
      name: 'force',
      short: 'f',
      type: 'bool',
      help: 'Force the container to disconnect from a network',
    },
  ],
  async run(ctx, flags) {
    const [network = '', container = ''] = flags.args;
    await send(ctx, 'POST', `${path(network)}/disconnect`, {
      body: { Container: container, Force: flagBool(flags, 'force') },
    });
    return 0;
  },
};

export const networkCommands: Record<string, Command> = {
  ls: lsCommand,
  create: createCommand,
  inspect: inspectCommand,
  rm: rmCommand,
  prune: pruneCommand,
  connect: connectCommand,
  disconnect: disconnectCommand,
};
