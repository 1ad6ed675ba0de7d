// The pieces of a hijacked connection (attach, exec start): the request body that came with
// the Upgrade request, the stdin that follows it, and the output writers (raw for a terminal,
// multiplexed frames otherwise — decided by Tty, as the Docker CLI demultiplexes).

import type { IncomingMessage } from 'node:http';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { invalidArgument } from '../core/errors.js';
import { writeChunk } from './http.js';

const MAX_HIJACK_BODY = 1 << 20;

/** The 8-byte header of a multiplexed stream frame: stream (1 stdout, 2 stderr), 0, 0, 0, size. */
export function frame(stream: 'stdout' | 'stderr', payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/**
 * Reads the body of an Upgrade request (exec start sends `{"Detach":false,"Tty":false}` with a
 * Content-Length): Node hands the bytes after the headers over as `head`; the rest are on the
 * socket. Resolves with the body and whatever came after it (the first stdin bytes).
 */
export async function readHijackBody(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<{ body: Buffer; rest: Buffer }> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isInteger(length) || length < 0 || length > MAX_HIJACK_BODY)
    throw invalidArgument(`invalid Content-Length: ${req.headers['content-length']}`);
  let buffer = head;
  while (buffer.length < length) {
    const chunk = await new Promise<Buffer | undefined>((resolve) => {
      const onData = (data: Buffer): void => {
        cleanup();
        resolve(data);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(undefined);
      };
      const cleanup = (): void => {
        socket.pause();
        socket.removeListener('data', onData);
        socket.removeListener('end', onEnd);
        socket.removeListener('close', onEnd);
      };
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume();
    });
    if (chunk === undefined) throw invalidArgument('request body ended early');
    buffer = Buffer.concat([buffer, chunk]);
  }
  return { body: buffer.subarray(0, length), rest: buffer.subarray(length) };
}

/** The client's stdin after the hijack: `first` bytes, then the socket until the client's FIN. */
export function hijackedStdin(socket: Duplex, first: Buffer): NodeJS.ReadableStream {
  const stdin = new PassThrough();
  if (first.length > 0) stdin.write(first);
  socket.pipe(stdin);
  return stdin;
}

/** Where output goes: the hijacked socket, or a streamed response. */
export type OutputTarget = NodeJS.WritableStream & { readonly destroyed?: boolean };

/** A writable that sends its chunks to `socket`, framed as `stream` unless raw. */
export function hijackedOutput(
  socket: OutputTarget,
  stream: 'stdout' | 'stderr',
  raw: boolean,
): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      if (socket.destroyed === true || !socket.writable) {
        callback();
        return;
      }
      const data = raw ? chunk : frame(stream, chunk);
      if (socket.write(data)) callback();
      else {
        const done = (): void => {
          socket.removeListener('drain', done);
          socket.removeListener('close', done);
          callback();
        };
        socket.on('drain', done);
        socket.on('close', done);
      }
    },
  });
}

/** Output nobody reads (a stream the client did not attach, a detached exec). */
export function discardOutput(): Writable {
  return new Writable({
    write(_chunk: Buffer, _encoding, callback): void {
      callback();
    },
  });
}

/** Ends the output writers once everything written to them has gone out (bounded). */
export async function flushOutputs(
  outputs: readonly Writable[],
  timeoutMs = 10_000,
): Promise<void> {
  await Promise.race([
    Promise.all(
      outputs.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.writableFinished) resolve();
            else {
              w.once('finish', () => resolve());
              w.once('error', () => resolve());
              w.end();
            }
          }),
      ),
    ),
    new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
  ]);
}

/** The `h` and `w` of a resize request (a terminal's rows and columns); 400 when not sizes. */
export function consoleSizeQuery(query: URLSearchParams): { rows: number; cols: number } {
  const size = (name: 'h' | 'w'): number => {
    const text = query.get(name) ?? '';
    const value = Number(text);
    if (text === '' || !Number.isInteger(value) || value < 0 || value > 65535)
      throw invalidArgument(`invalid resize ${name}: ${text}`);
    return value;
  };
  return { rows: size('h'), cols: size('w') };
}

/** How much BatchedOutput gathers before it writes. */
const BATCH_BYTES = 64 * 1024;

/**
 * Many small pieces of output (a log's records, each one line or one frame) written as few
 * large ones: pieces are gathered up to 64 KiB, and what is gathered goes out at the latest on
 * the next turn of the event loop, so a follower still sees each record as soon as it is read.
 * On a chunked HTTP response this is also one chunk per write instead of one per line.
 */
export class BatchedOutput {
  #parts: Buffer[] = [];
  #size = 0;
  #scheduled = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly signal: AbortSignal,
  ) {}

  /** Adds `text`: as a multiplexed frame of `stream` when given, as it is otherwise. */
  add(text: string, stream?: 'stdout' | 'stderr'): Promise<void> {
    const header = stream ? 8 : 0;
    const length = Buffer.byteLength(text);
    const piece = Buffer.allocUnsafe(header + length);
    if (stream) {
      piece.writeUInt32BE(stream === 'stdout' ? 0x01000000 : 0x02000000, 0);
      piece.writeUInt32BE(length, 4);
    }
    piece.write(text, header);
    this.#parts.push(piece);
    this.#size += piece.length;
    if (this.#size >= BATCH_BYTES) return this.flush();
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.flush();
      });
    }
    return Promise.resolve();
  }

  /** Writes what is gathered; resolves once the stream takes more (or the signal aborts). */
  flush(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    const data = Buffer.concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    return writeChunk(this.out, data, this.signal);
  }
}
