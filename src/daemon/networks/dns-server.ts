// The embedded resolver: one UDP socket on each user network's gateway address, port 53.
// Names of containers (name, aliases, short ID) on the asking container's user networks are
// answered from the network service, whichever of them received the query; other names go
// to the host's loopback resolvers when it has some, and get SERVFAIL otherwise (berth never
// sends traffic elsewhere).

import dgram from 'node:dgram';
import {
  buildAnswer,
  parseQuery,
  RCODE_NXDOMAIN,
  RCODE_OK,
  RCODE_SERVFAIL,
  TYPE_A,
  type DnsQuery,
} from '../../core/network/dns-message.js';
import type { Logger } from '../../lib/logger.js';

/** The addresses of `name` on the network as `from` (the asking address) sees it. */
export type NameLookup = (networkId: string, name: string, from: string) => string[];

const FORWARD_TIMEOUT_MS = 2000;

export class DnsServers {
  readonly #sockets = new Map<string, dgram.Socket>();

  constructor(
    private readonly deps: {
      lookup: NameLookup;
      /** Loopback name servers of the host (the only ones berth forwards to). */
      upstream: readonly string[];
      logger: Logger;
    },
  ) {}

  /** Starts answering on `address` for the network; a second call is a no-op. */
  async listen(networkId: string, address: string): Promise<void> {
    if (this.#sockets.has(networkId)) return;
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    socket.on('message', (msg, rinfo) => this.#answer(networkId, socket, msg, rinfo));
    socket.on('error', (err) =>
      this.deps.logger.warn('dns server error', { network: networkId, error: err.message }),
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(53, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.unref();
    this.#sockets.set(networkId, socket);
  }

  close(networkId: string): void {
    const s = this.#sockets.get(networkId);
    if (!s) return;
    this.#sockets.delete(networkId);
    s.close();
  }

  closeAll(): void {
    for (const id of [...this.#sockets.keys()]) this.close(id);
  }

  #answer(networkId: string, socket: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const q = parseQuery(msg);
    if (!q) return;
    const reply = (b: Buffer): void => socket.send(b, rinfo.port, rinfo.address);
    const name = q.name.replace(/\.$/, '').toLowerCase();
    const own = this.deps.lookup(networkId, name, rinfo.address);
    if (own.length > 0) {
      reply(buildAnswer(q, RCODE_OK, q.type === TYPE_A ? own : []));
      return;
    }
    if (!name.includes('.') && this.deps.upstream.length === 0) {
      reply(buildAnswer(q, RCODE_NXDOMAIN));
      return;
    }
    this.#forward(q, msg).then(reply, () => reply(buildAnswer(q, RCODE_SERVFAIL)));
  }

  /** Asks the first loopback resolver of the host; rejects without one or on a timeout. */
  #forward(q: DnsQuery, msg: Buffer): Promise<Buffer> {
    const server = this.deps.upstream[0];
    if (!server) return Promise.reject(new Error('no loopback resolver'));
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket(server.includes(':') ? 'udp6' : 'udp4');
      const done = (err?: Error, b?: Buffer): void => {
        clearTimeout(timer);
        s.close();
        if (b && b.length >= 2 && b.readUInt16BE(0) === q.id) resolve(b);
        else reject(err ?? new Error('bad answer'));
      };
      const timer = setTimeout(() => done(new Error('timeout')), FORWARD_TIMEOUT_MS);
      s.on('error', (err) => done(err));
      s.on('message', (b) => done(undefined, b));
      s.send(msg, 53, server);
    });
  }
}
