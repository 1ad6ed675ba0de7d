import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { PortReservations } from './port-reservations.js';

/** A port the kernel says is free on 127.0.0.1 now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const request = (low: number, high = low) => ({
  containerPort: 80,
  proto: 'tcp' as const,
  hostIp: '127.0.0.1',
  low,
  high,
});

describe('PortReservations', () => {
  it('holds a port until released, refusing it meanwhile', async () => {
    const ports = new PortReservations();
    const port = await freePort();
    try {
      const [m] = await ports.reserve([request(port)]);
      assert.deepEqual(m, { containerPort: 80, proto: 'tcp', hostIp: '127.0.0.1', hostPort: port });
      await assert.rejects(ports.reserve([request(port)]), {
        message: `Bind for 127.0.0.1:${port} failed: port is already allocated`,
      });
      ports.release([m as NonNullable<typeof m>]);
      const [again] = await ports.reserve([request(port)]);
      assert.equal(again?.hostPort, port);
    } finally {
      ports.releaseAll();
    }
  });

  it('takes the next free port of a range, and gives back all on a failure', async () => {
    const ports = new PortReservations();
    const port = await freePort();
    try {
      const got = await ports.reserve([request(port, port + 1), request(port, port + 1)]);
      assert.deepEqual(
        got.map((m) => m.hostPort),
        [port, port + 1],
      );
      await assert.rejects(ports.reserve([request(port, port + 1)]), /all ports are allocated/);
      ports.releaseAll();
      await assert.rejects(ports.reserve([request(port), request(port)]), /already allocated/);
      // The first of the two was given back when the second failed.
      const [m] = await ports.reserve([request(port)]);
      assert.equal(m?.hostPort, port);
    } finally {
      ports.releaseAll();
    }
  });
});
