import { flagList, flagString } from '../../lib/flags.js';
import type { EventMessage } from '../../types/docker/system.js';
import type { Command } from '../command.js';
import { stringifyJson } from '../../lib/json.js';
import { renderTemplate } from '../render/template.js';
import { toApiTimestamp } from '../timestamps.js';

/** Go's RFC3339Nano in UTC: trailing zeros of the fraction dropped. */
function rfc3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

/** `<time> <Type> <Action> <Actor.ID> (k=v, ... sorted)`, as the Docker CLI prints events. */
export function formatEvent(e: EventMessage & { readonly exactTimeNano?: bigint }): string {
  const ns =
    e.exactTimeNano ?? (e.timeNano > 0 ? BigInt(e.timeNano) : BigInt(e.time) * 1_000_000_000n);
  const attrs = Object.entries(e.Actor.Attributes)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  return `${rfc3339Nano(ns)} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs.length > 0 ? ` (${attrs.join(', ')})` : ''}`;
}

export function parseFilterFlags(values: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new Error(`bad format of filter (expected name=value)`);
    const key = v.slice(0, eq).trim().toLowerCase();
    (out[key] ??= []).push(v.slice(eq + 1));
  }
  return out;
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Get real time events from the server',
  usage: 'berth events [OPTIONS]',
  maxArgs: 0,
  flags: [
    {
      name: 'filter',
      short: 'f',
      type: 'list',
      help: 'Filter output based on conditions provided',
    },
    { name: 'format', type: 'string', help: 'Format output using a custom template' },
    { name: 'since', type: 'string', help: 'Show all events created since timestamp' },
    { name: 'until', type: 'string', help: 'Stream events until this timestamp' },
  ],
  async run(ctx, flags) {
    const since = flagString(flags, 'since');
    const until = flagString(flags, 'until');
    const format = flagString(flags, 'format');
    const filters = parseFilterFlags(flagList(flags, 'filter'));
    const now = Date.now();
    const events = ctx.client().events(
      {
        since: since ? toApiTimestamp(since, now) : undefined,
        until: until ? toApiTimestamp(until, now) : undefined,
        filters,
      },
      ctx.signal,
    );
    for await (const e of events) {
      const { exactTimeNano, ...wire } = e;
      const data = { ...wire, timeNano: exactTimeNano };
      const text =
        format === ''
          ? formatEvent(e)
          : format === 'json'
            ? stringifyJson(data)
            : renderTemplate(format, data);
      ctx.stdout.write(text + '\n');
    }
    return 0;
  },
};
