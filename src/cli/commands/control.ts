// `berth restart`, `pause`, `unpause`, `wait`, `rename` and `port`: one request per container,
// printed as the Docker CLI prints them.

import { flagInt } from '../../lib/flags.js';
import { ApiError } from '../../client/client.js';
import type { Command } from '../command.js';
import { eachArgument } from '../each-argument.js';
import { ExitError } from '../errors.js';
import { eachContainer } from './containers.js';

export const restartCommand: Command = {
  name: 'restart',
  summary: 'Restart one or more containers',
  usage: 'berth restart [OPTIONS] CONTAINER [CONTAINER...]',
  arity: { min: 1 },
  flags: [
    // API 1.41 has no signal parameter: the Docker CLI drops it there too.
    { name: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' },
    {
      name: 'timeout',
      short: 't',
      type: 'int',
      help: 'Seconds to wait before killing the container',
    },
    {
      name: 'time',
      type: 'int',
      hidden: true,
      help: 'Seconds to wait before killing the container',
    },
  ],
  async run(ctx, flags) {
    const timeout = flags.given.has('timeout')
      ? flagInt(flags, 'timeout')
      : flags.given.has('time')
        ? flagInt(flags, 'time')
        : undefined;
    return eachContainer(ctx, flags.args, (name) =>
      ctx.client().containerAction(name, 'restart', { t: timeout }),
    );
  },
};

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'Pause all processes within one or more containers',
  usage: 'berth pause CONTAINER [CONTAINER...]',
  arity: { min: 1 },
  flags: [],
  async run(ctx, flags) {
    return eachContainer(ctx, flags.args, (name) => ctx.client().containerAction(name, 'pause'));
  },
};

export const unpauseCommand: Command = {
  name: 'unpause',
  summary: 'Unpause all processes within one or more containers',
  usage: 'berth unpause CONTAINER [CONTAINER...]',
  arity: { min: 1 },
  flags: [],
  async run(ctx, flags) {
    return eachContainer(ctx, flags.args, (name) => ctx.client().containerAction(name, 'unpause'));
  },
};

export const waitCommand: Command = {
  name: 'wait',
  summary: 'Block until one or more containers stop, then print their exit codes',
  usage: 'berth wait CONTAINER [CONTAINER...]',
  arity: { min: 1 },
  flags: [],
  async run(ctx, flags) {
    return eachArgument(ctx, flags.args, async (name) => {
      const wait = await ctx.client().waitContainer(name, undefined, ctx.signal);
      ctx.stdout.write(`${await wait.result}\n`);
    });
  },
};

export const renameCommand: Command = {
  name: 'rename',
  summary: 'Rename a container',
  usage: 'berth rename CONTAINER NEW_NAME',
  arity: { min: 2, max: 2 },
  flags: [],
  async run(ctx, flags) {
    const [from = '', to = ''] = flags.args.map((a) => a.trim());
    if (from === '' || to === '')
      throw new ExitError('Error: Neither old nor new names may be empty', 1);
    try {
      await ctx.client().renameContainer(from, to);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      ctx.stderr.write(`Error response from daemon: ${err.message}\n`);
      throw new ExitError(`Error: failed to rename container named ${from}`, 1);
    }
    return 0;
  },
};

/** sortorder.NaturalLess: digit runs compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  const parts = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

export const portCommand: Command = {
  name: 'port',
  summary: 'List port mappings or a specific mapping for the container',
  usage: 'berth port CONTAINER [PRIVATE_PORT[/PROTO]]',
  arity: { min: 1, max: 2 },
  flags: [],
  async run(ctx, flags) {
    const [container = '', wanted] = flags.args;
    const info = await ctx.client().inspectContainer(container);
    const ports = (info.NetworkSettings['Ports'] ?? {}) as PortMap;
    const out: string[] = [];
    if (wanted !== undefined) {
      const slash = wanted.indexOf('/');
      const port = slash === -1 ? wanted : wanted.slice(0, slash);
      const proto = slash === -1 || slash === wanted.length - 1 ? 'tcp' : wanted.slice(slash + 1);
      if (!/^\d+$/.test(port) || Number(port) > 65535)
        throw new ExitError(
          `Error: invalid port (${port}): strconv.ParseUint: parsing "${port}": ${/^\d+$/.test(port) ? 'value out of range' : 'invalid syntax'}`,
          1,
        );
      const frontends = ports[`${port}/${proto}`] ?? [];
      if (frontends.length === 0)
        throw new ExitError(`Error: No public port '${wanted}' published for ${container}`, 1);
      for (const f of frontends) out.push(joinHostPort(f.HostIp, f.HostPort));
    } else {
      for (const [from, frontends] of Object.entries(ports))
        for (const f of frontends ?? [])
          out.push(`${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`);
    }
    if (out.length > 0) ctx.stdout.write(`${out.sort(naturalCompare).join('\n')}\n`);
    return 0;
  },
};
