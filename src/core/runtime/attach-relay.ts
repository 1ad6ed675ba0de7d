// Attaching to conmon's attach socket from Node.
//
// conmon listens on `<bundle>/attach`, a unix socket of type SOCK_SEQPACKET. Each packet it
// sends is one read of the container's output: one byte naming the stream (2 stdout, 3 stderr;
// a terminal's output is all stdout) and up to 8192 bytes of data. What a client sends is
// written to the container's stdin (up to 32 KiB per packet); shutting down the client's write
// side closes the container's stdin (unless conmon has --leave-stdin-open). When the container
// exits, conmon closes the connection.
//
// Node cannot create a SEQPACKET socket (node:net connects only SOCK_STREAM unix sockets, and
// fails with EPROTOTYPE here). socat can connect one (`UNIX-CONNECT:path,type=5`) but writes the
// packets into a byte pipe, losing the boundaries that carry the stream byte. So berth runs a
// small relay in Python (python3 is already one of berth's apt dependencies; Debian 12 ships
// 3.11): it connects, writes an empty frame of stream 0 ("connected"), then
//   - writes each packet it receives to its stdout as a frame:
//       [stream byte][4-byte big-endian length][data]
//   - with `stdin` mode, copies its stdin into the socket and on EOF shuts down the write side;
//     `input` mode does the same and writes no output frames (the caller reads the output from
//     the log); with `nostdin` mode it sends nothing, and its stdin's EOF (the daemon closed
//     it, or died) only makes it exit;
//   - exits 0 when conmon closes the connection, 2 (with a message on stderr) when it cannot
//     connect: ENOENT (no socket), ECONNREFUSED (monitor gone).
// It connects through /proc/self/fd/<dir fd>/attach, as conmon binds, so a long state dir does
// not run into the 108-byte sun_path limit.

/** The relay program, run as `python3 -c RELAY_SCRIPT <dir> stdin|input|nostdin`. */
export const RELAY_SCRIPT = String.raw`
import os, socket, struct, sys, threading
d, mode = sys.argv[1], sys.argv[2]
send, forward = mode != 'nostdin', mode != 'input'
try:
    dfd = os.open(d, os.O_PATH)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect('/proc/self/fd/%d/attach' % dfd)
    os.close(dfd)
except OSError as e:
    sys.stderr.write('%s: %s\n' % (os.strerror(e.errno) if e.errno else e, d))
    sys.exit(2)
out = sys.stdout.buffer
out.write(b'\0\0\0\0\0')
out.flush()
def pump_in():
    try:
        while True:
            b = os.read(0, 32767)
            if not b:
                break
            if send:
                s.sendall(b)
    except OSError:
        pass
    if send:
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    else:
        os._exit(0)
threading.Thread(target=pump_in, daemon=True).start()
try:
    while True:
        p = s.recv(65536)
        if not p:
            break
        if forward:
            out.write(struct.pack('>BI', p[0], len(p) - 1) + p[1:])
            out.flush()
except (OSError, BrokenPipeError):
    pass
os._exit(0)
`;

/** The relay's own frame: connected to conmon (empty). */
export const ATTACH_CONNECTED = 0;
export const ATTACH_STDOUT = 2;
export const ATTACH_STDERR = 3;

export interface RelayFrame {
  /** conmon's stream byte: 2 stdout, 3 stderr; 0 is the relay's "connected" frame. */
  readonly stream: number;
  readonly data: Buffer;
}

/** Splits the relay's stdout into frames; keeps at most one unfinished frame between chunks. */
export class RelayFrameDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RelayFrame[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: RelayFrame[] = [];
    let offset = 0;
    while (this.#buffer.length - offset >= 5) {
      const stream = this.#buffer.readUInt8(offset);
      const length = this.#buffer.readUInt32BE(offset + 1);
      if (this.#buffer.length - offset - 5 < length) break;
      frames.push({ stream, data: this.#buffer.subarray(offset + 5, offset + 5 + length) });
      offset += 5 + length;
    }
    this.#buffer = this.#buffer.subarray(offset);
    return frames;
  }

  /** Bytes of an unfinished frame (non-zero at the end means the relay was cut off). */
  get pending(): number {
    return this.#buffer.length;
  }
}
