// A hijacked attach or exec connection, driven as the Docker CLI drives it: output to stdout and
// stderr (demultiplexed unless tty), stdin into the socket (half-closed at its end), the client
// terminal in raw mode while a tty session reads it, detach keys, window size and signals.

import { spawnSync } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from './detach-keys.js';

/** Splits the multiplexed stream (8-byte headers) of a non-tty container onto stdout/stderr. */
export class FrameDemuxer {
  #buffer: Buffer = Buffer.alloc(0);

  constructor(
    private readonly out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  ) {}

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 8) {
      const size = this.#buffer.readUInt32BE(4);
      if (this.#buffer.length < 8 + size) return;
      const payload = this.#buffer.subarray(8, 8 + size);
      (this.#buffer[0] === 2 ? this.out.stderr : this.out.stdout).write(payload);
      this.#buffer = this.#buffer.subarray(8 + size);
    }
  }
}

/** The client's stdin: a terminal can be put in raw mode. */
export interface InputStream extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  readonly fd?: number;
  setRawMode?(mode: boolean): unknown;
  /** A pipe or terminal: lets the process exit while it is still open. */
  unref?(): unknown;
}

/** The client's stdout: a terminal has a size and says when it changes. */
export interface OutputStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly rows?: number;
  readonly columns?: number;
}

/** [rows, cols] of the client terminal, [0, 0] when stdout is not one. */
export function terminalSize(out: OutputStream): [number, number] {
  return out.isTTY ? [out.rows ?? 0, out.columns ?? 0] : [0, 0];
}

export interface SessionOptions {
  readonly socket: Duplex;
  /** The container (or exec) has a terminal: output is raw, not multiplexed. */
  readonly tty: boolean;
  /** Forwarded to the socket; without it the write side is closed at once. */
  readonly stdin?: InputStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** --detach-keys; empty: ctrl-p ctrl-q. They apply to tty sessions with stdin only. */
  readonly detachKeys?: string;
  /** Ends the session (the socket is closed). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

/** How a session ended: the output ended, the user typed the detach keys, or it was aborted. */
export type SessionEnd = 'ended' | 'detached' | 'aborted';

/** The Docker CLI's escape keys, or the default with its warning when they do not parse. */
function escapeKeys(options: SessionOptions): readonly number[] {
  if (!options.detachKeys) return DEFAULT_DETACH_KEYS;
  try {
    return parseDetachKeys(options.detachKeys);
  } catch (err) {
    const time = (options.now?.() ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
    options.stderr.write(
      `time="${time}" level=warning msg="invalid detach escape keys, using default: ${(err as Error).message}"\n`,
    );
    return DEFAULT_DETACH_KEYS;
  }
}

/**
 * Raw mode on a terminal stdin; the returned function restores it (once), also at exit. Node's
 * raw mode keeps output processing (a "\n" from the container would reach the screen as
 * "\r\r\n"); the Docker CLI's does not, so `stty -opost` turns it off too. Leaving raw mode
 * restores the terminal's settings as they were, output processing included.
 */
function rawTerminal(stdin: InputStream): () => void {
  if (!stdin.isTTY || !stdin.setRawMode) return () => undefined;
  stdin.setRawMode(true);
  if (stdin.fd !== undefined)
    spawnSync('stty', ['-opost'], { stdio: [stdin.fd, 'ignore', 'ignore'], timeout: 5000 });
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    stdin.setRawMode?.(false);
  };
  process.on('exit', restore);
  return restore;
}

/**
 * Streams until the output ends (the process exited and the daemon closed the connection), the
 * detach keys are typed, or `signal` aborts. The terminal is restored before it resolves.
 */
export function runSession(options: SessionOptions): Promise<SessionEnd> {
  const { socket, stdin, tty } = options;
  // Raw first: the Docker CLI warns about bad detach keys with the terminal already raw.
  const restore = stdin && tty ? rawTerminal(stdin) : () => undefined;
  const scanner = stdin && tty ? new DetachKeyScanner(escapeKeys(options)) : undefined;
  const demux = tty ? undefined : new FrameDemuxer(options);
  return new Promise((resolve, reject) => {
    let settled = false;
    const onOutput = (chunk: Buffer): void => {
      if (demux) demux.push(chunk);
      else options.stdout.write(chunk);
    };
    const onInput = (chunk: Buffer): void => {
      let data = chunk;
      if (scanner) {
        const scanned = scanner.push(chunk);
        data = scanned.forward;
        if (scanned.detached) {
          if (data.length > 0) socket.write(data);
          finish('detached');
          return;
        }
      }
      if (data.length > 0 && !socket.write(data) && stdin) {
        stdin.pause();
        socket.once('drain', () => {
          if (!settled) stdin.resume();
        });
      }
    };
    const onInputEnd = (): void => {
      const held = scanner?.flush();
      if (held && held.length > 0) socket.write(held);
      socket.end();
    };
    const onEnd = (): void => finish('ended');
    const onError = (err: Error): void => finish(err);
    const onAbort = (): void => finish('aborted');
    function finish(end: SessionEnd | Error): void {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('data', onOutput);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      socket.on('error', () => undefined); // a reset after we are done is no news
      if (stdin) {
        stdin.off('data', onInput);
        stdin.off('end', onInputEnd);
        stdin.off('error', onInputEnd);
        stdin.pause();
      }
      // Done either way: stdin still buffered for a process that has gone must not keep the
      // connection (and berth) alive.
      socket.destroy();
      restore();
      // Input that never ends (`yes | berth run -i ... head -1`) must not keep berth alive.
      stdin?.unref?.();
      if (end instanceof Error) reject(end);
      else resolve(end);
    }

    socket.on('data', onOutput);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
    if (options.signal?.aborted) {
      finish('aborted');
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (stdin) {
      stdin.on('data', onInput);
      stdin.once('end', onInputEnd);
      stdin.once('error', onInputEnd);
      stdin.resume();
    } else {
      socket.end();
    }
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Keeps the container's (or exec's) terminal at the client's size: once now (retried for a
 * while: the process may not have its terminal yet), then on every window change. `redraw`
 * first sets a size one larger, as `docker attach` does, so the program repaints. Returns the
 * function that stops watching.
 */
export function monitorTerminalSize(options: {
  readonly out: OutputStream;
  readonly stderr: NodeJS.WritableStream;
  readonly resize: (rows: number, cols: number) => Promise<void>;
  readonly redraw?: boolean;
}): () => void {
  const { out } = options;
  const apply = async (): Promise<void> => {
    const [rows, cols] = terminalSize(out);
    if (rows === 0 && cols === 0) return;
    await options.resize(rows, cols);
  };
  const initial = async (): Promise<void> => {
    const [rows, cols] = terminalSize(out);
    if (options.redraw && (rows !== 0 || cols !== 0))
      await options.resize(rows + 1, cols + 1).catch(() => undefined);
    for (let attempt = 0; attempt <= 10; attempt++) {
      try {
        await apply();
        return;
      } catch {
        await sleep((attempt + 1) * 10);
      }
    }
    options.stderr.write('failed to resize tty, using default size\n');
  };
  void initial();
  const onResize = (): void => void apply().catch(() => undefined);
  out.on('resize', onResize);
  return () => {
    out.off('resize', onResize);
  };
}

/** The signals a non-tty session forwards to the container, as the Docker CLI's --sig-proxy. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
];

/** Forwards the client's signals through `kill` (`INT`, `TERM`, ...); returns the undo. */
export function proxySignals(kill: (signal: string) => Promise<void>): () => void {
  const handlers = FORWARDED_SIGNALS.map((name) => {
    const handler = (): void => void kill(name.slice(3)).catch(() => undefined);
    process.on(name, handler);
    return [name, handler] as const;
  });
  return () => {
    for (const [name, handler] of handlers) process.off(name, handler);
  };
}
