import { execFile } from 'node:child_process';
import { cgroupPathsOf } from '../../core/cgroups/cgroup-paths.js';
import { readCgroupProcs } from '../../core/cgroups/read.js';
import type { ContainerRecord } from '../../core/containers/container.js';
import { BerthError, conflict } from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';

/** The host's `ps` output, cut to the container's processes. */
export interface ProcessTable {
  readonly titles: string[];
  readonly processes: string[][];
}

export interface ContainerTopDeps {
  readonly resolve: (ref: string) => ContainerRecord;
  readonly events: EventPublisher;
  /** The ps to run (procps). */
  readonly psPath?: string;
}

const PS_TIMEOUT_MS = 10_000;
const PS_MAX_OUTPUT = 32 * 1024 * 1024;

/**
 * Docker refuses ps arguments that rename a column to look like the PID one (`comm=PID`), as
 * the PID column is how rows are matched to the container; only `pid=...` may be renamed.
 */
export function checkPsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+(\S*)=\s*(PID\S*)/g)) {
    if (m[1] !== 'pid')
      throw new BerthError('internal', `specifying "${m[1]}=${m[2]}" is not allowed`);
  }
}

/** Splits on ASCII white space only, as Docker does (a CMD may hold other spaces). */
function fields(line: string): string[] {
  return line.split(/[\t\n\f\r ]+/).filter((f) => f !== '');
}

/**
 * The rows of `ps` output whose PID is one of `pids`. Cells past the last title are joined
 * back into it (a command line has spaces). A thread row (`-` as its PID, from `ps -L`/`m`)
 * goes with the process row above it.
 */
export function parsePsOutput(output: string, pids: ReadonlySet<number>): ProcessTable {
  const lines = output.split('\n');
  const titles = fields(lines[0] ?? '');
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw new BerthError('internal', "Couldn't find PID field in ps output");
  const processes: string[][] = [];
  let inContainer = false;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const cells = fields(line);
    const pidText = cells[pidIndex] ?? '';
    if (pidText === '-') {
      if (inContainer) processes.push(fitToTitles(cells, titles.length));
      continue;
    }
    if (!/^[+-]?\d+$/.test(pidText)) {
      throw new BerthError(
        'internal',
        `Unexpected pid '${pidText}': strconv.Atoi: parsing ${JSON.stringify(pidText)}: invalid syntax`,
      );
    }
    inContainer = pids.has(Number(pidText));
    if (inContainer) processes.push(fitToTitles(cells, titles.length));
  }
  return { titles, processes };
}

function fitToTitles(cells: string[], count: number): string[] {
  if (count === 0) return [];
  return [...cells.slice(0, count - 1), cells.slice(count - 1).join(' ')];
}

function runPs(
  path: string,
  args: readonly string[],
  signal: AbortSignal,
): Promise<{ ok: true; stdout: string } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    execFile(
      path,
      args,
      { timeout: PS_TIMEOUT_MS, maxBuffer: PS_MAX_OUTPUT, signal, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, stdout });
        const firstLine = stderr.split('\n')[0] ?? '';
        const status = typeof err.code === 'number' ? `exit status ${err.code}` : err.message;
        resolve({ ok: false, message: firstLine !== '' ? firstLine : status });
      },
    );
  });
}

/** `docker top`: the host's `ps` with the user's arguments, keeping the container's rows. */
export class ContainerTop {
  constructor(private readonly deps: ContainerTopDeps) {}

  async top(ref: string, psArgs: string, signal: AbortSignal): Promise<ProcessTable> {
    const args = psArgs === '' ? '-ef' : psArgs;
    checkPsArgs(args);
    const c = this.deps.resolve(ref);
    if (c.state.status === 'restarting')
      throw conflict(`Container ${c.id} is restarting, wait until the container is running`);
    const notRunning = conflict(`Container ${c.id} is not running`);
    if ((c.state.status !== 'running' && c.state.status !== 'paused') || c.state.pid <= 0)
      throw notRunning;
    const paths = await cgroupPathsOf(c.state.pid);
    if (paths === undefined) throw notRunning;
    const pids = await readCgroupProcs(paths);
    if (pids.length === 0) throw notRunning;
    const argv = args.split(' ').filter((a) => a !== '');
    const ps = this.deps.psPath ?? 'ps';
    // `-q` lists just those processes; some options refuse it (forest views): then all of them.
    let result = await runPs(ps, [...argv, `-q${pids.join(',')}`], signal);
    if (!result.ok) result = await runPs(ps, argv, signal);
    if (!result.ok) throw new BerthError('internal', `ps: ${result.message}`);
    const table = parsePsOutput(result.stdout, new Set(pids));
    this.deps.events.publish({
      type: 'container',
      action: 'top',
      actor: { id: c.id, attributes: { image: c.config.Image, name: c.name } },
    });
    return table;
  }
}
