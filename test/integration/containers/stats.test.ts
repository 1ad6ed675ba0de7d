// docker top and docker stats through the real Docker CLI (and the berth CLI), on real
// containers: the processes ps finds in the container's cgroup, and the cgroup's figures.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { StatsResponse } from '../../../src/types/docker/stats.js';
import { berth, docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';
import { busyboxArchive } from '../../helpers/image-archive.js';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function get(socket: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method: 'GET', path, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Reads `count` JSON documents of a streaming response, then goes away (closes the socket). */
function firstDocuments(
  socket: string,
  path: string,
  count: number,
): Promise<{ headers: http.IncomingHttpHeaders; docs: StatsResponse[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method: 'GET', path, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        reject(new Error(`status ${res.statusCode}`));
        return;
      }
      const docs: StatsResponse[] = [];
      let buffered = '';
      res.on('data', (d: Buffer) => {
        buffered += d.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) !== -1 && docs.length < count) {
          docs.push(JSON.parse(buffered.slice(0, nl)) as StatsResponse);
          buffered = buffered.slice(nl + 1);
        }
        if (docs.length >= count) {
          req.destroy();
          resolve({ headers: res.headers, docs });
        }
      });
      res.on('error', () => undefined);
      res.on('end', () => reject(new Error(`the stream ended after ${docs.length} documents`)));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    // After the documents are in, the socket is closed on purpose: a later error changes nothing.
    req.on('error', reject);
    req.end();
  });
}

describe('docker top and docker stats', () => {
  let d: TestDaemon;
  const dk = (args: string[], timeoutMs = 30_000): ReturnType<typeof docker> =>
    docker(d.host, args, { timeoutMs });
  const inspect = async (name: string, format: string): Promise<string> =>
    (await dk(['inspect', '--format', format, name])).stdout.trim();

  before(async () => {
    d = await startDaemon();
    assert.equal((await dk(['load', '-i', busyboxArchive()])).code, 0);
    const run = await dk([
      'run',
      '-d',
      '--name',
      'sleeper',
      '--memory',
      '64m',
      'busybox',
      'sleep',
      '1000',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const create = await dk(['create', '--name', 'idle', 'busybox', 'true']);
    assert.equal(create.code, 0, create.stderr);
  });

  after(async () => {
    if (!d) return;
    const ids = (await dk(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await dk(['rm', '-f', ...ids]);
    await d.cleanup();
  });

  it("docker top lists the container's process, and only it", async () => {
    const pid = await inspect('sleeper', '{{.State.Pid}}');
    const r = await dk(['top', 'sleeper']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines[0]?.split(/\s+/), [
      'UID',
      'PID',
      'PPID',
      'C',
      'STIME',
      'TTY',
      'TIME',
      'CMD',
    ]);
    assert.equal(lines.length, 2, `one process, no host ones:\n${r.stdout}`);
    const row = lines[1]?.split(/\s{2,}/) ?? [];
    assert.equal(row[0], 'root');
    assert.equal(row[1], pid);
    assert.equal(row.at(-1), 'sleep 1000');
  });

  it('docker top passes ps options: -o pid,comm', async () => {
    const pid = await inspect('sleeper', '{{.State.Pid}}');
    const r = await dk(['top', 'sleeper', '-o', 'pid,comm']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)),
      [
        ['PID', 'COMMAND'],
        [pid, 'sleep'],
      ],
    );
  });

  it('the API answers top as {Titles, Processes}, with a top event', async () => {
    const r = await get(d.socket, '/v1.41/containers/sleeper/top?ps_args=-o+pid%2Cargs');
    assert.equal(r.status, 200, r.body);
    const body = JSON.parse(r.body) as { Titles: string[]; Processes: string[][] };
    assert.deepEqual(body.Titles, ['PID', 'COMMAND']);
    assert.deepEqual(
      body.Processes.map((p) => p[1]),
      ['sleep 1000'],
    );
    const events = await dk([
      'events',
      '--since',
      '1m',
      '--until',
      // A second ahead: the event is in this second, and the stream closes at `until`.
      String(Math.floor(Date.now() / 1000) + 1),
      '--filter',
      'event=top',
      '--format',
      '{{.Action}} {{.Actor.Attributes.name}}',
    ]);
    assert.match(events.stdout, /^top sleeper$/m);
  });

  it('docker top of a stopped container fails with 409 as Docker', async () => {
    const id = await inspect('idle', '{{.Id}}');
    const r = await dk(['top', 'idle']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `Error response from daemon: Container ${id} is not running`);
    const raw = await get(d.socket, '/v1.41/containers/idle/top');
    assert.equal(raw.status, 409);
    assert.equal(raw.headers['content-type'], 'application/json');
  });

  it('docker top with ps arguments ps refuses, or without a PID column, fails with 500', async () => {
    const bad = await dk(['top', 'sleeper', '--no-such-ps-option']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error response from daemon: ps: .+/);
    const noPid = await dk(['top', 'sleeper', '-o', 'comm']);
    assert.equal(noPid.code, 1);
    assert.equal(
      noPid.stderr.trim(),
      "Error response from daemon: Couldn't find PID field in ps output",
    );
    const raw = await get(d.socket, '/v1.41/containers/sleeper/top?ps_args=-o+comm%3DPID');
    assert.equal(raw.status, 500);
    assert.equal(JSON.parse(raw.body).message, 'specifying "comm=PID" is not allowed');
    // The container is untouched by all this.
    assert.equal(await inspect('sleeper', '{{.State.Status}}'), 'running');
  });

  it('top and stats of a missing container are 404', async () => {
    const top = await dk(['top', 'nosuch']);
    assert.equal(top.code, 1);
    assert.equal(top.stderr.trim(), 'Error response from daemon: No such container: nosuch');
    const stats = await dk(['stats', '--no-stream', 'nosuch']);
    assert.equal(stats.code, 1);
    assert.match(stats.stderr, /No such container: nosuch/);
    for (const path of [
      '/v1.41/containers/nosuch/stats?stream=0',
      '/v1.41/containers/nosuch/stats',
    ]) {
      const raw = await get(d.socket, path);
      assert.equal(raw.status, 404, path);
      assert.equal(JSON.parse(raw.body).message, 'No such container: nosuch');
    }
  });

  it('docker stats --no-stream shows the name and the --memory limit', async () => {
    const r = await dk(['stats', '--no-stream', 'sleeper']);
    assert.equal(r.code, 0, r.stderr);
    const [header, row, ...rest] = r.stdout.trimEnd().split('\n');
    assert.deepEqual(rest, []);
    assert.match(
      header ?? '',
      /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/,
    );
    assert.match(row ?? '', /^[0-9a-f]{12}\s+sleeper\s+\d+\.\d\d%\s+\S+ \/ 64MiB\s+\d+\.\d\d%\s+/);
    assert.match(row ?? '', /\s1$/, 'one process');
  });

  it("docker stats --format '{{json .}}' fields parse", async () => {
    const id = await inspect('sleeper', '{{.Id}}');
    const r = await dk(['stats', '--no-stream', '--format', '{{json .}}', 'sleeper']);
    assert.equal(r.code, 0, r.stderr);
    const row = JSON.parse(r.stdout) as Record<string, string>;
    assert.equal(row['Name'], 'sleeper');
    assert.equal(row['Container'], 'sleeper');
    assert.equal(row['ID'], id.slice(0, 12));
    assert.match(row['CPUPerc'] ?? '', /^\d+\.\d\d%$/);
    assert.match(row['MemUsage'] ?? '', /^\d+(\.\d+)?[KM]?i?B \/ 64MiB$/);
    assert.match(row['MemPerc'] ?? '', /^\d+\.\d\d%$/);
    assert.match(row['NetIO'] ?? '', /^\S+ \/ \S+$/);
    assert.match(row['BlockIO'] ?? '', /^\S+ \/ \S+$/);
    assert.equal(row['PIDs'], '1');
  });

  it('stream=0 answers one JSON with Content-Length, its previous sample filled in', async () => {
    const r = await get(d.socket, '/v1.41/containers/sleeper/stats?stream=0');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
    const s = JSON.parse(r.body) as StatsResponse;
    assert.equal(s.name, '/sleeper');
    assert.equal(s.id, await inspect('sleeper', '{{.Id}}'));
    assert.ok(Date.parse(s.read) > Date.parse(s.preread), `${s.read} after ${s.preread}`);
    assert.ok((s.precpu_stats.system_cpu_usage ?? 0) > 0, 'precpu_stats is filled');
    assert.ok((s.cpu_stats.system_cpu_usage ?? 0) >= (s.precpu_stats.system_cpu_usage ?? 0));
    assert.ok((s.cpu_stats.online_cpus ?? 0) >= 1);
    assert.ok(s.cpu_stats.cpu_usage.total_usage > 0, 'the container has used some CPU');
    assert.equal(s.memory_stats.limit, 64 * 1024 * 1024);
    assert.ok((s.memory_stats.usage ?? 0) > 0);
    assert.equal(s.pids_stats.current, 1);
    assert.ok(Array.isArray(s.blkio_stats.io_service_bytes_recursive));
    // On the default bridge the container has eth0 (lo is never listed).
    assert.deepEqual(Object.keys(s.networks ?? {}), ['eth0']);
    assert.equal(typeof s.networks?.['eth0']?.rx_bytes, 'number');
  });

  it('stream=1 sends a document a second with increasing read, until the client goes away', async () => {
    const { headers, docs } = await firstDocuments(d.socket, '/v1.41/containers/sleeper/stats', 3);
    assert.equal(headers['transfer-encoding'], 'chunked');
    assert.equal(docs[0]?.preread, '0001-01-01T00:00:00Z', 'the first has no previous sample');
    for (let i = 1; i < docs.length; i++) {
      const [before, now] = [docs[i - 1] as StatsResponse, docs[i] as StatsResponse];
      assert.ok(Date.parse(now.read) > Date.parse(before.read), `${now.read} > ${before.read}`);
      assert.equal(now.preread, before.read);
      assert.deepEqual(now.precpu_stats, before.cpu_stats);
    }
    // The daemon notices the client went away and ends the job.
    await waitFor(
      'the stats job to end',
      async () => {
        const jobs = JSON.parse((await get(d.socket, '/berth/jobs')).body) as { name: string }[];
        return !jobs.some((j) => j.name === 'containers.stats');
      },
      10_000,
    );
  });

  it('stream with one-shot is refused as Docker does', async () => {
    const r = await get(d.socket, '/v1.41/containers/sleeper/stats?stream=1&one-shot=1');
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).message, 'cannot have stream=true and one-shot=true');
    const one = await get(d.socket, '/v1.41/containers/sleeper/stats?stream=0&one-shot=1');
    assert.equal(one.status, 200);
    assert.equal((JSON.parse(one.body) as StatsResponse).preread, '0001-01-01T00:00:00Z');
  });

  it('a container burning CPU shows CPU % above 0', async () => {
    const run = await dk([
      'run',
      '-d',
      '--name',
      'burner',
      'busybox',
      'sh',
      '-c',
      'while :; do :; done',
    ]);
    assert.equal(run.code, 0, run.stderr);
    try {
      const r = await dk(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}}', 'burner']);
      assert.equal(r.code, 0, r.stderr);
      const m = /^burner (\d+\.\d\d)%$/.exec(r.stdout.trim());
      assert.ok(m, r.stdout);
      assert.ok(Number(m[1]) > 0, `CPU % is ${m[1]}`);
    } finally {
      await dk(['rm', '-f', 'burner']);
    }
  });

  it('pids_stats.current counts the processes', async () => {
    const run = await dk([
      'run',
      '-d',
      '--name',
      'forks',
      '--pids-limit',
      '20',
      'busybox',
      'sh',
      '-c',
      'sleep 1000 & sleep 1000 & wait',
    ]);
    assert.equal(run.code, 0, run.stderr);
    let last: StatsResponse | undefined;
    await waitFor('three processes', async () => {
      const r = await get(d.socket, '/v1.41/containers/forks/stats?stream=0&one-shot=1');
      last = JSON.parse(r.body) as StatsResponse;
      return last.pids_stats.current === 3;
    });
    assert.equal(last?.pids_stats.limit, 20);
    const ps = await dk(['stats', '--no-stream', '--format', '{{.PIDs}}', 'forks']);
    assert.equal(ps.stdout.trim(), '3');
    const top = await dk(['top', 'forks', '-o', 'pid,args']);
    assert.equal(top.stdout.trimEnd().split('\n').length, 4, top.stdout);
  });

  it('docker stats without arguments shows the running containers', async () => {
    const r = await dk(['stats', '--no-stream', '--format', '{{.Name}} {{.ID}}']);
    assert.equal(r.code, 0, r.stderr);
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    assert.ok(names.includes('sleeper'), r.stdout);
    assert.ok(!names.includes('idle'), 'a stopped container only with --all');
    const all = await dk(['stats', '--no-stream', '--all', '--format', '{{.Name}}']);
    assert.ok(all.stdout.split('\n').includes('idle'), all.stdout);
  });

  it('stats of a stopped container are zeros', async () => {
    const r = await dk(['stats', '--no-stream', 'idle']);
    assert.equal(r.code, 0, r.stderr);
    const row = r.stdout.trimEnd().split('\n')[1] ?? '';
    assert.match(
      row,
      /^[0-9a-f]{12}\s+idle\s+0\.00%\s+0B \/ 0B\s+0\.00%\s+0B \/ 0B\s+0B \/ 0B\s+0$/,
    );
    const raw = await get(d.socket, '/v1.41/containers/idle/stats?stream=0');
    const s = JSON.parse(raw.body) as StatsResponse;
    assert.equal(s.read, '0001-01-01T00:00:00Z');
    assert.equal(s.name, '/idle');
    assert.deepEqual(s.memory_stats, {});
    assert.deepEqual(s.pids_stats, {});
    // Streaming, Docker goes on sending zeros (the CLI shows 0s) until the client leaves.
    const { docs } = await firstDocuments(d.socket, '/v1.41/containers/idle/stats', 2);
    for (const doc of docs) assert.equal(doc.read, '0001-01-01T00:00:00Z');
  });

  it('the berth CLI shows top and stats as Docker does', async () => {
    const top = await berth(['-H', d.host, 'top', 'sleeper', '-o', 'pid,comm']);
    assert.equal(top.code, 0, top.stderr);
    assert.deepEqual(
      top.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[1]),
      ['COMMAND', 'sleep'],
    );
    assert.equal(top.stdout, (await dk(['top', 'sleeper', '-o', 'pid,comm'])).stdout);
    const stats = await berth([
      '-H',
      d.host,
      'stats',
      '--no-stream',
      '--format',
      '{{json .}}',
      'sleeper',
    ]);
    assert.equal(stats.code, 0, stats.stderr);
    const row = JSON.parse(stats.stdout) as Record<string, string>;
    assert.equal(row['Name'], 'sleeper');
    assert.match(row['MemUsage'] ?? '', / \/ 64MiB$/);
    const table = await berth(['-H', d.host, 'stats', '--no-stream', 'sleeper', 'idle']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^CONTAINER ID\s+NAME\s+CPU %/);
    assert.match(table.stdout, /\ssleeper\s/);
    assert.match(table.stdout, /\sidle\s+0\.00%\s+0B \/ 0B/);
    const missing = await berth(['-H', d.host, 'stats', '--no-stream', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: No such container: nosuch\n');
    const stopped = await berth(['-H', d.host, 'top', 'idle']);
    assert.equal(stopped.code, 1);
    assert.match(stopped.stderr, /Container [0-9a-f]{64} is not running/);
  });
});
