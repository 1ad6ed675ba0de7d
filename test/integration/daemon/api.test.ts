// The HTTP edge against a real daemon: ping, version prefixes, errors, bad input, load.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  socket: string,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: socket, method, path, headers: options.headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the API server', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d?.cleanup();
  });

  it('answers HEAD and GET /_ping with the negotiation headers', async () => {
    const head = await request(d.socket, 'HEAD', '/_ping');
    assert.equal(head.status, 200);
    assert.equal(head.headers['api-version'], '1.41');
    assert.equal(head.headers['ostype'], 'linux');
    assert.equal(head.headers['docker-experimental'], 'false');
    assert.equal(head.headers['builder-version'], '1');
    assert.equal(head.headers['content-length'], '0');
    assert.match(String(head.headers['server']), /^Berth\/\S+ \(linux\)$/);
    const get = await request(d.socket, 'GET', '/_ping');
    assert.equal(get.status, 200);
    assert.equal(get.body, 'OK');
    assert.equal(get.headers['cache-control'], 'no-cache, no-store, must-revalidate');
  });

  it('serves /version with and without a version prefix', async () => {
    for (const path of ['/version', '/v1.41/version', '/v1.24/version', '/v1.30/version']) {
      const r = await request(d.socket, 'GET', path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], 'application/json');
      const v = JSON.parse(r.body) as Record<string, unknown>;
      assert.equal(v['ApiVersion'], '1.41');
      assert.equal(v['MinAPIVersion'], '1.24');
      assert.equal(v['Os'], 'linux');
    }
  });

  it('refuses versions outside 1.24–1.41 with a JSON 400', async () => {
    const tooNew = await request(d.socket, 'GET', '/v1.99/version');
    assert.equal(tooNew.status, 400);
    assert.equal(tooNew.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(tooNew.body), {
      message: 'client version 1.99 is too new. Maximum supported API version is 1.41',
    });
    const tooOld = await request(d.socket, 'GET', '/v1.11/info');
    assert.equal(tooOld.status, 400);
    assert.match(
      (JSON.parse(tooOld.body) as { message: string }).message,
      /client version 1\.11 is too old\. Minimum supported API version is 1\.24/,
    );
  });

  it('answers unknown routes with a JSON 404', async () => {
    for (const [method, path] of [
      ['GET', '/nosuch'],
      ['POST', '/v1.41/version'],
      ['GET', '/v1.41/containers/x/nosuch'],
    ]) {
      const r = await request(d.socket, method as string, path as string);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(r.body), { message: 'page not found' });
    }
  });

  it('rejects malformed JSON, a wrong Content-Type and wrong field types with 400', async () => {
    const bad = await request(d.socket, 'POST', '/berth/debug/sleep', {
      body: '{"Milliseconds": ',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(bad.status, 400);
    assert.match((JSON.parse(bad.body) as { message: string }).message, /invalid JSON/);
    const type = await request(d.socket, 'POST', '/berth/debug/sleep', {
      body: 'Milliseconds=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(type.status, 400);
    assert.equal(
      (JSON.parse(type.body) as { message: string }).message,
      "Content-Type specified (application/x-www-form-urlencoded) must be 'application/json'",
    );
    const wrong = await request(d.socket, 'POST', '/berth/debug/sleep', {
      body: '{"Milliseconds":"10"}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(wrong.status, 400);
    assert.match((JSON.parse(wrong.body) as { message: string }).message, /field "Milliseconds"/);
    const ok = await request(d.socket, 'POST', '/berth/debug/sleep', {
      body: '{"Milliseconds":5}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(ok.status, 200);
  });

  it('rejects malformed filters and timestamps with 400 naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['/events?filters=%7Bnot-json', /invalid filters/],
      ['/events?filters=%7B%22type%22%3A%22container%22%7D', /"type"/],
      [
        '/events?filters=%7B%22type%22%3A%7B%22container%22%3A%22yes%22%7D%7D',
        /"type" must map to booleans/,
      ],
      ['/events?filters=%7B%22nosuch%22%3A%7B%22x%22%3Atrue%7D%7D', /Invalid filter 'nosuch'/],
      ['/events?since=yesterday', /invalid value for since/],
      ['/events?until=12abc', /invalid value for until/],
    ];
    for (const [path, message] of cases) {
      const r = await request(d.socket, 'GET', path);
      assert.equal(r.status, 400, path);
      assert.match((JSON.parse(r.body) as { message: string }).message, message, path);
    }
  });

  it('answers 500 concurrent pings and stays up', async () => {
    const replies = await Promise.all(
      Array.from({ length: 500 }, () => request(d.socket, 'GET', '/_ping')),
    );
    assert.equal(replies.filter((r) => r.status === 200 && r.body === 'OK').length, 500);
    assert.equal((await request(d.socket, 'GET', '/version')).status, 200);
  });

  it('cancels a job when its client disconnects mid-stream', async () => {
    const req = http.request({
      socketPath: d.socket,
      method: 'GET',
      path: '/v1.41/events',
      agent: false,
    });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.statusCode, 200, 'events headers are sent before any event');
    const jobs = await d.client.jobs();
    assert.ok(
      jobs.some((j) => j.Name === 'events' && j.Kind === 'stream'),
      JSON.stringify(jobs),
    );
    req.destroy();
    await waitFor(
      'the events job to end',
      async () => !(await d.client.jobs()).some((j) => j.Name === 'events'),
      5000,
    );
    const info = await d.client.info();
    assert.equal(info.NEventsListener, 0);
  });

  it('cancels a task when its client disconnects', async () => {
    const req = http.request({
      socketPath: d.socket,
      method: 'POST',
      path: '/berth/debug/sleep',
      agent: false,
      headers: { 'Content-Type': 'application/json' },
    });
    req.on('error', () => undefined);
    req.end('{"Milliseconds":30000}');
    await waitFor(
      'the sleep job to start',
      async () => (await d.client.jobs()).some((j) => j.Name === 'debug.sleep'),
      5000,
    );
    req.destroy();
    await waitFor(
      'the sleep job to be cancelled',
      async () => !(await d.client.jobs()).some((j) => j.Name === 'debug.sleep'),
      5000,
    );
  });

  it('lists its job handlers (the commands job)', async () => {
    const names = (await d.client.commands()).map((c) => c.Name);
    for (const n of [
      'ping',
      'version',
      'info',
      'events',
      'commands',
      'jobs',
      'serveapi',
      'acceptconnections',
    ]) {
      assert.ok(names.includes(n), `${n} in ${names.join(',')}`);
    }
  });
});
