// A loopback TCP proxy in front of a registry that can cut a connection in the middle of a
// chosen response (a registry dying mid-transfer, deterministically).

import net from 'node:net';

export interface CutProxy {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /**
   * Cut the response to the next request whose text contains `pattern` after `bytes` bytes
   * (`stall`: stop forwarding there instead, keeping the connection open).
   */
  arm(pattern: string, bytes: number, mode?: 'cut' | 'stall'): void;
  disarm(): void;
  /** How many connections were cut. */
  readonly cuts: number;
  close(): Promise<void>;
}

export async function startCutProxy(target: string): Promise<CutProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  let armed: { pattern: string; bytes: number; mode: 'cut' | 'stall' } | undefined;
  let cuts = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), targetHost);
    sockets.add(client).add(upstream);
    let cutAt: number | undefined;
    let mode: 'cut' | 'stall' = 'cut';
    let forwarded = 0;
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.toString('latin1').includes(armed.pattern)) {
        cutAt = armed.bytes;
        mode = armed.mode;
        forwarded = 0;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutAt === undefined) {
        client.write(chunk);
        return;
      }
      const room = cutAt - forwarded;
      if (chunk.length < room) {
        forwarded += chunk.length;
        client.write(chunk);
        return;
      }
      if (forwarded < cutAt) client.write(chunk.subarray(0, room));
      forwarded = cutAt;
      if (mode === 'stall') return;
      cuts++;
      end();
    });
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    arm(pattern, bytes, mode = 'cut') {
      armed = { pattern, bytes, mode };
    },
    disarm() {
      armed = undefined;
    },
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
