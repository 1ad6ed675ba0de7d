// `berth restart`, `pause`, `unpause`, `wait`, `rename`, `port` and `update`: one request per container,
// printed as the Docker CLI prints them.

import { FlagError, flagInt, flagString } from '../../lib/flags.js';
import { ramInBytes } from '../../lib/units.js';
import { parseNanoCpus, parseRestartPolicy } from '../container-options.js';
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

/** A size flag of `berth update` (go-units RAMInBytes; `-1` where unlimited is allowed). */
function updateSize(text: string, spec: string, allowUnlimited = false): number {
  if (allowUnlimited && text === '-1') return -1;
  const bytes = ramInBytes(text);
  if (bytes === undefined)
    throw new FlagError(`invalid argument "${text}" for "${spec}" flag: invalid size: '${text}'`);
  return bytes;
}

export const updateCommand: Command = {
  name: 'update',
  summary: 'Update configuration of one or more containers',
  usage: 'berth update [OPTIONS] CONTAINER [CONTAINER...]',
  arity: { min: 1 },
  flags: [
    { name: 'cpu-shares', short: 'c', type: 'int', help: 'CPU shares (relative weight)' },
    { name: 'cpus', type: 'string', placeholder: 'decimal', help: 'Number of CPUs' },
    { name: 'cpuset-cpus', type: 'string', help: 'CPUs in which to allow execution (0-3, 0,1)' },
    { name: 'memory', short: 'm', type: 'string', placeholder: 'bytes', help: 'Memory limit' },
    {
      name: 'memory-swap',
      type: 'string',
      placeholder: 'bytes',
      help: 'Swap limit equal to memory plus swap: -1 to enable unlimited swap',
    },
    { name: 'pids-limit', type: 'int', help: 'Tune container pids limit (set -1 for unlimited)' },
    { name: 'restart', type: 'string', help: 'Restart policy to apply when a container exits' },
  ],
  async run(ctx, flags) {
    if (flags.given.size === 0)
      throw new ExitError('you must provide one or more flags when using this command', 1);
    const given = (name: string): boolean => flags.given.has(name);
    const body: Record<string, unknown> = {};
    if (given('memory')) body['Memory'] = updateSize(flagString(flags, 'memory'), '-m, --memory');
    if (given('memory-swap'))
      body['MemorySwap'] = updateSize(flagString(flags, 'memory-swap'), '--memory-swap', true);
    if (given('cpu-shares')) body['CpuShares'] = flagInt(flags, 'cpu-shares');
    if (given('cpus')) body['NanoCpus'] = parseNanoCpus(flagString(flags, 'cpus'));
    if (given('cpuset-cpus')) body['CpusetCpus'] = flagString(flags, 'cpuset-cpus');
    if (given('pids-limit')) body['PidsLimit'] = flagInt(flags, 'pids-limit');
    if (given('restart')) body['RestartPolicy'] = parseRestartPolicy(flagString(flags, 'restart'));
    return eachContainer(ctx, flags.args, async (name) => {
      const { Warnings } = await ctx
        .client()
        .json<{ Warnings?: string[] | null }>(
          'POST',
          `/containers/${encodeURIComponent(name)}/update`,
          {
            body,
          },
        );
      for (const warning of Warnings ?? []) ctx.stderr.write(`${warning}\n`);
    });
  },
};
