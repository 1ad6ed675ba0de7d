// What a test daemon leaves on the host: its bridges, chains, namespaces and veths.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import type { TestDaemon } from '../../helpers/daemon.js';

/** The tag a daemon names its devices and chains with (see main.ts). */
export function tagOf(d: TestDaemon): string {
  return createHash('sha256').update(d.execRoot).digest('hex').slice(0, 6);
}

export function defaultBridgeOf(d: TestDaemon): string {
  return `berth-${tagOf(d)}`;
}

/** The host end of a container's veth on a network (see network-service.ts). */
export function hostVeth(containerId: string, networkId: string): string {
  const h = createHash('sha256').update(`${containerId}/${networkId}`).digest('hex');
  return `veth${h.slice(0, 10)}`;
}

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** Interfaces enslaved to a bridge. */
export function bridgePorts(bridge: string): string[] {
  const dir = `/sys/class/net/${bridge}/brif`;
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Lines of iptables-save (filter and nat) that mention the daemon's tag. */
export function rulesOf(d: TestDaemon): string[] {
  const tag = tagOf(d);
  return ['filter', 'nat'].flatMap((t) =>
    execFileSync('iptables-save', ['-t', t], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(tag)),
  );
}

export function netnsFiles(d: TestDaemon): string[] {
  const dir = join(d.execRoot, 'netns');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** An HTTP GET's status and body, or the error's code; bounded by timeoutMs. */
export function httpGet(
  host: string,
  port: number,
  path = '/',
  timeoutMs = 5000,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

/** A TCP port free on 127.0.0.1 right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something can bind the port on 0.0.0.0 (nobody holds it). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/**
 * Waits (bounded) until `check` holds: the kernel frees a namespace, and the veths in it, a
 * moment after berth lets go of it.
 */
export async function eventually(
  what: string,
  check: () => boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
