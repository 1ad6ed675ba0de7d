// berth benchmarks: prints `name value unit` lines. Given REF_DOCKER_HOST (a reference Docker
// daemon, unix:// or tcp://), it measures the same things on it in the same run and prints the
// ratios (berth / reference; below 1 is better for times and memory).
//
//   node dist/bench/run.js            # berth alone
//   REF_DOCKER_HOST=unix:///tmp/ref/docker.sock node dist/bench/run.js

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { startDaemon } from '../test/helpers/daemon.js';
import { benchContainers } from './containers.js';
import { benchDistribution } from './distribution.js';
import { benchImageLoad, benchOverlayMount } from './images.js';
import { benchVolumes } from './volumes.js';
import { benchNetwork } from './network.js';

const PINGS = Number(process.env['BENCH_PINGS'] ?? 2000);

interface Target {
  readonly name: string;
  readonly socket: string;
  readonly pid: number;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

async function pingLatencies(socket: string, count: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = http.request({ socketPath: socket, path: '/_ping', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
      });
      req.setTimeout(5000, () => req.destroy(new Error('ping timed out')));
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < 200; i++) await once();
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await once());
  agent.destroy();
  return out.sort((a, b) => a - b);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** A process and all its descendants (dockerd's managed containerd counts as part of it). */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

function treeRssMiB(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + rssMiB(p), 0);
}

/** The pid of the process listening on a unix socket path, from `ss -xlp`. */
function listenerPid(socket: string): number {
  const out = execFileSync('ss', ['-xlpn'], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.includes(` ${socket} `));
  const pid = Number(/pid=(\d+)/.exec(line ?? '')?.[1] ?? NaN);
  if (!Number.isInteger(pid)) {
    throw new Error(
      `no process found listening on ${socket} in this network namespace: set REF_DOCKER_PID`,
    );
  }
  return pid;
}

async function measure(target: Target): Promise<Map<string, [number, string]>> {
  const lat = await pingLatencies(target.socket, PINGS);
  await new Promise((r) => setTimeout(r, 1000));
  return new Map<string, [number, string]>([
    ['ping_p50', [percentile(lat, 50), 'ms']],
    ['ping_p99', [percentile(lat, 99), 'ms']],
    ['idle_rss', [treeRssMiB(target.pid), 'MiB']],
  ]);
}

function print(prefix: string, results: Map<string, [number, string]>): void {
  for (const [name, [value, unit]] of results)
    console.log(`${prefix}${name} ${value.toFixed(3)} ${unit}`);
}

const SUITES = (process.env['BENCH'] ?? 'ping,images,containers').split(',');

async function main(): Promise<void> {
  const line = (name: string, value: number, unit: string): void =>
    console.log(`${name} ${value.toFixed(3)} ${unit}`);
  if (SUITES.includes('containers')) await benchContainers(line);
  if (SUITES.includes('volumes')) await benchVolumes(line);
  if (SUITES.includes('distribution')) await benchDistribution(line);
  if (SUITES.includes('network')) await benchNetwork(line);
  if (SUITES.includes('images')) {
    await benchOverlayMount(line);
    await benchImageLoad(line);
  }
  if (!SUITES.includes('ping')) return;
  const daemon = await startDaemon({ env: { BERTH_TEST_HOOKS: '0' } });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const pid = daemon.process.pid as number;
    const berthResults = await measure({ name: 'berth', socket: daemon.socket, pid });
    print('berth_', berthResults);
    const ref = process.env['REF_DOCKER_HOST'];
    if (ref) {
      if (!ref.startsWith('unix://')) throw new Error('REF_DOCKER_HOST must be a unix:// socket');
      const socket = ref.slice('unix://'.length);
      const refPid = Number(process.env['REF_DOCKER_PID'] ?? listenerPid(socket));
      const refResults = await measure({ name: 'reference', socket, pid: refPid });
      print('ref_', refResults);
      for (const [name, [value]] of berthResults) {
        const refValue = refResults.get(name)?.[0];
        if (refValue) console.log(`ratio_${name} ${(value / refValue).toFixed(3)} x`);
      }
    }
  } finally {
    await daemon.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
