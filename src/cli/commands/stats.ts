import { ApiError, type BerthClient } from '../../client/client.js';
import { flagBool, flagString } from '../../lib/flags.js';
import type { Command } from '../command.js';
import {
  DEFAULT_STATS_FORMAT,
  invalidEntry,
  statsEntry,
  statsRow,
  STATS_HEADERS,
  type StatsEntry,
} from '../render/stats.js';
import { shortId, table } from '../render/table.js';
import { renderTemplate } from '../render/template.js';

/** How long a container's first report may take before its row shows dashes. */
const FIRST_REPORT_MS = 5000;

/** The rows as `--format` asks: a table (the default), `json`, or a template per row. */
export function renderStats(
  entries: readonly StatsEntry[],
  format: string,
  truncate: boolean,
): string {
  const rows = entries.map((e) => statsRow(e, truncate));
  if (format === 'json') return rows.map((r) => JSON.stringify(r) + '\n').join('');
  const source = format === '' ? DEFAULT_STATS_FORMAT : format;
  if (!source.startsWith('table'))
    return rows.map((r) => renderTemplate(source, r) + '\n').join('');
  const columns =
    source.slice('table'.length).trim() || DEFAULT_STATS_FORMAT.slice('table '.length);
  return table(
    renderTemplate(columns, STATS_HEADERS).split('\t'),
    rows.map((r) => renderTemplate(columns, r).split('\t')),
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** One container's stats stream, keeping its latest row. */
class Collector {
  entry: StatsEntry;
  /** What went wrong, as printed (`Error response from daemon: ...`). */
  error: string | undefined;
  /** Resolves at the first report or failure (or after FIRST_REPORT_MS). */
  readonly first: Promise<void>;
  readonly #controller = new AbortController();
  #running = true;

  constructor(client: BerthClient, container: string, stream: boolean, parent: AbortSignal) {
    this.entry = invalidEntry(container);
    const signal = AbortSignal.any([parent, this.#controller.signal]);
    let reported!: () => void;
    this.first = new Promise((resolve) => (reported = resolve));
    void this.#collect(client, container, { stream, signal }, reported);
  }

  async #collect(
    client: BerthClient,
    container: string,
    options: { stream: boolean; signal: AbortSignal },
    reported: () => void,
  ): Promise<void> {
    const timer = setTimeout(reported, FIRST_REPORT_MS);
    try {
      for await (const s of client.containerStats(container, options)) {
        this.entry = statsEntry(container, s);
        reported();
      }
    } catch (err) {
      // A daemon error (no such container) or a lost connection: its row shows dashes.
      if (!options.signal.aborted) {
        this.error =
          err instanceof ApiError
            ? `Error response from daemon: ${err.message}`
            : err instanceof Error
              ? err.message
              : String(err);
        this.entry = invalidEntry(container, this.entry.id, this.entry.name);
      }
    } finally {
      this.#running = false;
      clearTimeout(timer);
      reported();
    }
  }

  /** Ends its stream (once ended, there is nothing left to abort). */
  stop(): void {
    if (this.#running) this.#controller.abort();
  }
}

/** The containers to show when none are named: the running ones, or all, by short ID. */
async function listed(client: BerthClient, all: boolean): Promise<string[]> {
  return (await client.listContainers({ all })).map((c) => shortId(c.Id));
}

export const statsCommand: Command = {
  name: 'stats',
  summary: 'Display a live stream of container(s) resource usage statistics',
  usage: 'berth stats [OPTIONS] [CONTAINER...]',
  flags: [
    {
      name: 'all',
      short: 'a',
      type: 'bool',
      help: 'Show all containers (default shows just running)',
    },
    { name: 'format', type: 'string', help: 'Format output using a custom template' },
    {
      name: 'no-stream',
      type: 'bool',
      help: 'Disable streaming stats and only pull the first result',
    },
    { name: 'no-trunc', type: 'bool', help: 'Do not truncate output' },
  ],
  async run(ctx, flags) {
    const client = ctx.client();
    const named = flags.args;
    const all = flagBool(flags, 'all');
    const stream = !flagBool(flags, 'no-stream');
    const format = flagString(flags, 'format');
    const truncate = !flagBool(flags, 'no-trunc');
    const collectors = new Map<string, Collector>();
    const add = (container: string): void => {
      if (!collectors.has(container))
        collectors.set(container, new Collector(client, container, stream, ctx.signal));
    };
    for (const c of named.length > 0 ? named : await listed(client, all)) add(c);
    try {
      await Promise.all([...collectors.values()].map((c) => c.first));
      // A container the user named that cannot be had is an error, as in the Docker CLI.
      const errors = [...collectors.values()].flatMap((c) => (c.error ? [c.error] : []));
      if (named.length > 0 && errors.length > 0) {
        for (const e of errors) ctx.stderr.write(`${e}\n`);
        return 1;
      }
      const entries = (): StatsEntry[] => [...collectors.values()].map((c) => c.entry);
      if (!stream) {
        ctx.stdout.write(renderStats(entries(), format, truncate));
        return 0;
      }
      ctx.stdout.write('\x1b[2J');
      // Redrawn every second until interrupted (the signal).
      while (!ctx.signal.aborted) {
        const text = renderStats(entries(), format, truncate);
        const lines = text.replace(/\n$/, '').split('\n');
        ctx.stdout.write(`\x1b[H${lines.map((l) => `${l}\x1b[K\n`).join('')}\x1b[J`);
        await sleep(1000, ctx.signal);
        if (named.length === 0 && !ctx.signal.aborted) {
          const now = new Set(await listed(client, all));
          for (const [container, collector] of collectors) {
            if (now.has(container)) continue;
            collector.stop();
            collectors.delete(container);
          }
          for (const c of now) add(c);
        }
      }
      return 0;
    } finally {
      for (const c of collectors.values()) c.stop();
    }
  },
};
