// Host ports held for published container ports. berth forwards them with DNAT, but also
// binds each one, so that no other program (or daemon on the host) takes the same port: a
// bind that fails means "port is already allocated".

import dgram from 'node:dgram';
import net from 'node:net';
import { conflict } from '../../core/errors.js';
import {
  EPHEMERAL_HIGH,
  EPHEMERAL_LOW,
  type PortMapping,
  type PortRequest,
} from '../../core/network/ports.js';

type Holder = net.Server | dgram.Socket;

function key(m: Pick<PortMapping, 'hostIp' | 'hostPort' | 'proto'>): string {
  return `${m.proto}/${m.hostIp}/${m.hostPort}`;
}

async function bind(m: PortMapping): Promise<Holder> {
  if (m.proto === 'udp') {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(m.hostPort, m.hostIp, () => resolve());
    });
    s.unref();
    return s;
  }
  const server = net.createServer((c) => c.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: m.hostPort, host: m.hostIp, exclusive: true, backlog: 1 }, () =>
      resolve(),
    );
  });
  server.unref();
  return server;
}

function release(h: Holder): void {
  if (h instanceof net.Server) h.close();
  else h.close();
}

export class PortReservations {
  readonly #held = new Map<string, Holder>();
  #lastEphemeral = EPHEMERAL_LOW - 1;

  /** Takes a host port for each request (the first free in its range); all or nothing. */
  async reserve(requests: readonly PortRequest[]): Promise<PortMapping[]> {
    const got: PortMapping[] = [];
    try {
      for (const r of requests) got.push(await this.#reserveOne(r));
      return got;
    } catch (err) {
      this.release(got);
      throw err;
    }
  }

  /** Holds ports that live containers already have (after a daemon restart). */
  async adopt(mappings: readonly PortMapping[]): Promise<void> {
    for (const m of mappings) {
      if (this.#held.has(key(m))) continue;
      try {
        this.#held.set(key(m), await bind(m));
      } catch {
        // Taken meanwhile by someone else: the forward still works, only the guard is gone.
      }
    }
  }

  release(mappings: readonly PortMapping[]): void {
    for (const m of mappings) {
      const h = this.#held.get(key(m));
      if (!h) continue;
      this.#held.delete(key(m));
      release(h);
    }
  }

  releaseAll(): void {
    for (const h of this.#held.values()) release(h);
    this.#held.clear();
  }

  async #reserveOne(r: PortRequest): Promise<PortMapping> {
    const ephemeral = r.low === EPHEMERAL_LOW && r.high === EPHEMERAL_HIGH;
    const span = r.high - r.low + 1;
    // As Docker's allocator: ephemeral ports one after the other from the last one handed
    // out (a port just given back is not reused at once); a given range from its start.
    const start = ephemeral ? (this.#lastEphemeral + 1 - r.low + span) % span : 0;
    const tries = Math.min(span, 2000);
    for (let i = 0; i < tries; i++) {
      const port = r.low + ((start + i) % span);
      const m: PortMapping = {
        containerPort: r.containerPort,
        proto: r.proto,
        hostIp: r.hostIp,
        hostPort: port,
      };
      if (this.#clashesHeld(m)) continue;
      try {
        this.#held.set(key(m), await bind(m));
        if (ephemeral) this.#lastEphemeral = port;
        return m;
      } catch (err) {
        if (!(err as NodeJS.ErrnoException).code?.startsWith('EADDR')) throw err;
      }
    }
    throw conflict(
      r.high > r.low
        ? `Bind for ${r.hostIp}:${r.low}-${r.high} failed: all ports are allocated`
        : `Bind for ${r.hostIp}:${r.low} failed: port is already allocated`,
    );
  }

  #clashesHeld(m: PortMapping): boolean {
    for (const k of this.#held.keys()) {
      const [proto, ip, port] = k.split('/');
      if (proto !== m.proto || Number(port) !== m.hostPort) continue;
      if (ip === m.hostIp || ip === '0.0.0.0' || m.hostIp === '0.0.0.0') return true;
    }
    return false;
  }
}
