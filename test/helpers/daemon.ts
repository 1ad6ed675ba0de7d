// Test harness: real berth daemons on temporary sockets and data roots, the real berth and
// Docker CLIs as clients. Everything a helper starts is stopped by its cleanup, pass or fail.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthClient } from '../../src/client/client.js';
import { removeNetworkLeftovers } from './network-leftovers.js';

export const REPO = process.env['BERTH_REPO'] ?? new URL('../../../', import.meta.url).pathname;
export const BERTH_BIN = join(REPO, 'bin/berth');

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, killing it after timeoutMs. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A command that never reads its stdin may close it first: that is not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The berth client; `input` is written to its stdin (which is then closed). */
export function berth(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return run(process.execPath, [BERTH_BIN, ...args], options);
}

/** The real Docker CLI, with its own empty config dir so the user's is never touched. */
export async function docker(
  host: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  const config = await mkdtemp(join(tmpdir(), 'berth-dockercfg-'));
  try {
    return await run('docker', args, {
      env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: config, ...options.env },
      timeoutMs: options.timeoutMs,
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
  } finally {
    await rm(config, { recursive: true, force: true });
  }
}

export interface TestDaemon {
  readonly dir: string;
  readonly socket: string;
  readonly host: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pidfile: string;
  readonly configFile: string;
  readonly process: ChildProcess;
  readonly client: BerthClient;
  log(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after timeoutMs; then removes the temporary directory. */
  cleanup(timeoutMs?: number): Promise<void>;
}

export interface DaemonOptions {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly config?: Record<string, unknown>;
  /** Extra listen addresses besides the unix socket. */
  readonly hosts?: readonly string[];
  readonly readyTimeoutMs?: number;
  /** Wrap the command (e.g. to pass sockets); receives [node, bin/berth, ...] and returns [cmd, ...args]. */
  readonly wrap?: (argv: string[]) => string[];
  readonly stdio?: (number | 'pipe' | 'ignore')[];
  readonly waitReady?: boolean;
  /** Run on the directory (data root, socket, pidfile) of an earlier daemon; cleanup() keeps it. */
  readonly reuseDir?: string;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function startDaemon(options: DaemonOptions = {}): Promise<TestDaemon> {
  const dir = options.reuseDir ?? (await mkdtemp(join(tmpdir(), 'berth-test-')));
  const socket = join(dir, 'berth.sock');
  const configFile = join(dir, 'daemon.json');
  await writeFile(configFile, JSON.stringify(options.config ?? {}));
  const args = [
    'daemon',
    '-H',
    `unix://${socket}`,
    ...(options.hosts ?? []).flatMap((h) => ['-H', h]),
    '--data-root',
    join(dir, 'root'),
    '--exec-root',
    join(dir, 'run'),
    '--pidfile',
    join(dir, 'berth.pid'),
    '--config-file',
    configFile,
    ...(options.args ?? []),
  ];
  const argv = [BERTH_BIN, ...args];
  const [command, ...rest] = options.wrap ? options.wrap(argv) : argv;
  const child = spawn(command as string, rest, {
    env: { ...process.env, BERTH_TEST_HOOKS: '1', ...options.env },
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  void exited.then(() => (done = true));
  const client = new BerthClient({ host: { kind: 'unix', path: socket } });
  const daemon: TestDaemon = {
    dir,
    socket,
    host: `unix://${socket}`,
    dataRoot: join(dir, 'root'),
    execRoot: join(dir, 'run'),
    pidfile: join(dir, 'berth.pid'),
    configFile,
    process: child,
    client,
    log: () => output,
    exited,
    async cleanup(timeoutMs = 20_000) {
      if (!done) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      client.close();
      // A daemon that died without its shutdown leaves its bridge and chains: nobody restarts it.
      const ended = await exited;
      if (options.reuseDir === undefined && ended.code !== 0 && process.getuid?.() === 0)
        removeNetworkLeftovers(join(dir, 'run'));
      if (options.reuseDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
  if (options.waitReady ?? true) {
    try {
      await waitFor(
        'the daemon to answer /_ping',
        async () => {
          if (done) throw new Error(`the daemon exited during start-up:\n${output}`);
          try {
            await client.ping(AbortSignal.timeout(2000));
            return true;
          } catch {
            return false;
          }
        },
        options.readyTimeoutMs ?? 15_000,
      );
    } catch (err) {
      await daemon.cleanup();
      throw err;
    }
  }
  return daemon;
}

export async function readPid(path: string): Promise<number> {
  return Number.parseInt(await readFile(path, 'utf8'), 10);
}

/** Runs `berth daemon` expecting it to exit by itself (validation failures). */
export async function daemonExit(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; config?: string } = {},
): Promise<RunResult & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-exit-'));
  try {
    const configFile = join(dir, 'daemon.json');
    await writeFile(configFile, options.config ?? '{}');
    const result = await berth(
      [
        'daemon',
        '-H',
        `unix://${join(dir, 'berth.sock')}`,
        '--data-root',
        join(dir, 'root'),
        '--exec-root',
        join(dir, 'run'),
        '--pidfile',
        join(dir, 'berth.pid'),
        '--config-file',
        configFile,
        ...args,
      ],
      { env: options.env, timeoutMs: 15_000 },
    );
    return { ...result, dir };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
