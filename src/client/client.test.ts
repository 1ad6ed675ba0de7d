import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BerthClient } from './client.js';

describe('BerthClient and abort signals', () => {
  let dir: string;
  let server: Server;
  let client: BerthClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-client-'));
    server = createServer((req, res) => {
      if (req.url?.includes('/slow')) return; // never answers: only an abort ends it
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': '1.41' });
      res.end('OK');
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(join(dir, 'api.sock'), resolve));
    client = new BerthClient({ host: { kind: 'unix', path: join(dir, 'api.sock') } });
  });
  after(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets go of the signal once the response is done: a later abort harms nothing', async () => {
    const uncaught: unknown[] = [];
    const record = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', record);
    try {
      const controller = new AbortController();
      await client.ping(controller.signal);
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await client.ping(); // the kept-alive socket is still good
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('uncaughtException', record);
    }
  });

  it('aborts a request in flight', async () => {
    const controller = new AbortController();
    const pending = client.request('GET', '/slow', { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, { name: 'AbortError' });
    const already = new AbortController();
    already.abort();
    await assert.rejects(client.request('GET', '/slow', { signal: already.signal }), {
      name: 'AbortError',
    });
  });
});
