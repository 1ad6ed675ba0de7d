// Network benchmarks (BENCH=network), as `name value unit` lines: `run --rm busybox true` on
// the default bridge and with --network none through the Docker CLI, and what the network
// adds to a container's start (set-up) and to the wait for its exit (tear-down), measured on
// the API as bridge minus none. Given REF_DOCKER_HOST, the same on the reference and ratios.

import { removeAllContainers } from './leftovers.js';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { startDaemon } from '../test/helpers/daemon.js';
import { busyboxArchive } from '../test/helpers/image-archive.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

function docker(host: string, args: string[]): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: host },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One API call over the unix socket: status, body and how long it took. */
function api(
  socket: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        socketPath: socket,
        method,
        path: `/v1.41${path}`,
        agent: false,
        headers: payload ? { 'Content-Type': 'application/json' } : { 'Content-Length': '0' },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            ms: Number(process.hrtime.bigint() - start) / 1e6,
          }),
        );
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Start and wait times of `true` in the given network mode (the API split Docker's CLI makes). */
async function apiSplit(socket: string, mode: string): Promise<{ start: number; wait: number }> {
  const starts: number[] = [];
  const waits: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const created = await api(socket, 'POST', '/containers/create', {
      Image: 'busybox',
      Cmd: ['true'],
      HostConfig: { NetworkMode: mode },
    });
    if (created.status !== 201) throw new Error(`create: ${created.body}`);
    const id = (JSON.parse(created.body) as { Id: string }).Id;
    const start = await api(socket, 'POST', `/containers/${id}/start`);
    if (start.status !== 204) throw new Error(`start: ${start.body}`);
    const wait = await api(socket, 'POST', `/containers/${id}/wait`);
    await api(socket, 'DELETE', `/containers/${id}?force=1`);
    if (i === 0) continue; // warm-up
    starts.push(start.ms);
    waits.push(wait.ms);
  }
  return { start: median(starts), wait: median(waits) };
}

interface Figures {
  readonly runBridgeP50: number;
  readonly runBridgeP90: number;
  readonly runNoneP50: number;
  readonly setup: number;
  readonly teardown: number;
}

async function measure(host: string): Promise<Figures> {
  if (!host.startsWith('unix://')) throw new Error(`${host}: a unix:// socket is needed`);
  const socket = host.slice('unix://'.length);
  const run = (network: string[]): number[] => {
    docker(host, ['run', '--rm', ...network, 'busybox', 'true']);
    return Array.from({ length: RUNS }, () =>
      timed(() => docker(host, ['run', '--rm', ...network, 'busybox', 'true'])),
    );
  };
  const bridge = run([]);
  const none = run(['--network', 'none']);
  const b = await apiSplit(socket, 'bridge');
  const n = await apiSplit(socket, 'none');
  return {
    runBridgeP50: percentile(bridge, 50),
    runBridgeP90: percentile(bridge, 90),
    runNoneP50: percentile(none, 50),
    setup: b.start - n.start,
    teardown: b.wait - n.wait,
  };
}

export async function benchNetwork(
  print: (name: string, value: number, unit: string) => void,
): Promise<void> {
  const daemon = await startDaemon();
  try {
    docker(daemon.host, ['load', '-q', '-i', busyboxArchive()]);
    const show = (prefix: string, f: Figures): void => {
      print(`${prefix}_run_rm_true_bridge_p50`, f.runBridgeP50, 'ms');
      print(`${prefix}_run_rm_true_bridge_p90`, f.runBridgeP90, 'ms');
      print(`${prefix}_run_rm_true_none_p50`, f.runNoneP50, 'ms');
      print(`${prefix}_network_setup_per_container`, f.setup, 'ms');
      print(`${prefix}_network_teardown_per_container`, f.teardown, 'ms');
      print(`${prefix}_network_setup_teardown_per_container`, f.setup + f.teardown, 'ms');
    };
    const berth = await measure(daemon.host);
    show('berth', berth);
    const ref = process.env['REF_DOCKER_HOST'];
    if (ref) {
      docker(ref, ['load', '-q', '-i', busyboxArchive()]);
      const reference = await measure(ref);
      show('ref', reference);
      print('ratio_run_rm_true_bridge_p50', berth.runBridgeP50 / reference.runBridgeP50, 'x');
      print(
        'ratio_network_setup_teardown_per_container',
        (berth.setup + berth.teardown) / (reference.setup + reference.teardown),
        'x',
      );
    }
  } finally {
    removeAllContainers(daemon.host);
    await daemon.cleanup();
  }
}
