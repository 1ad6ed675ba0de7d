import type { ContainerRecord } from '../../../core/containers/container.js';
import { BerthError, invalidArgument, isBerthError } from '../../../core/errors.js';
import { parseK8sLogTime, type K8sLogRecord } from '../../../core/runtime/k8s-log.js';
import type { LogReadOptions } from '../../../core/containers/log-config.js';
import { acceptUpgrade } from '../../errors.js';
import {
  BatchedOutput,
  consoleSizeQuery,
  discardOutput,
  flushOutputs,
  hijackedOutput,
  hijackedStdin,
} from '../../hijack.js';
import type { AttachStreams } from '../../../core/runtime/conmon-runtime.js';
import { queryBool, readJsonBody, sendJson, sendNoContent } from '../../http.js';
import { asObject, optNumber, optString } from '../../decode.js';
import type { ContainerUpdate } from '../../../core/containers/container.js';
import type { Route } from '../../route.js';
import { parseTimestampParam } from '../../timestamps.js';

/** What running containers needs from the daemon. */
export interface ContainerRunBackend {
  resolve(ref: string): ContainerRecord;
  start(ref: string, signal: AbortSignal): Promise<void>;
  /** `timeoutSeconds` undefined: the container's StopTimeout, or 10. */
  stop(ref: string, timeoutSeconds: number | undefined, signal: AbortSignal): Promise<void>;
  kill(ref: string, signal: string): Promise<void>;
  restart(ref: string, timeoutSeconds: number | undefined, signal: AbortSignal): Promise<void>;
  pause(ref: string): Promise<void>;
  update(ref: string, change: ContainerUpdate): Promise<void>;
  unpause(ref: string): Promise<void>;
  wait(
    ref: string,
    condition: 'not-running' | 'next-exit' | 'removed',
    signal: AbortSignal,
  ): Promise<number>;
  /** Attaches stdin and output through the container's monitor (see ContainerLifecycle.attach). */
  attach(ref: string, io: AttachStreams): Promise<void>;
  /** Tells the events that a client attached (Docker's `attach` event). */
  attached(ref: string): void;
  resize(ref: string, rows: number, cols: number): Promise<void>;
  logs(ref: string, options: LogReadOptions): AsyncIterable<K8sLogRecord>;
}

/**
 * Joins conmon's partial records into the lines Docker's logger keeps: a line's parts, per
 * stream, up to 16 KiB (Docker's longest message; past it a part goes out as it is).
 */
export class LineJoiner {
  readonly #pending = new Map<string, { time: string; text: string }>();

  /** The line the record completes (or a part over the limit); undefined while one is open. */
  add(r: K8sLogRecord): K8sLogRecord | undefined {
    const open = this.#pending.get(r.stream);
    const text = (open?.text ?? '') + r.text;
    const time = open?.time ?? r.time;
    if (!r.partial) {
      this.#pending.delete(r.stream);
      return { time, stream: r.stream, partial: false, text };
    }
    if (Buffer.byteLength(text) >= MAX_MESSAGE) {
      this.#pending.delete(r.stream);
      return { time, stream: r.stream, partial: true, text };
    }
    this.#pending.set(r.stream, { time, text });
    return undefined;
  }

  /** The lines left open, as parts (the stream ended without their newline). */
  flush(): K8sLogRecord[] {
    const out = [...this.#pending].map(([stream, p]) => ({
      time: p.time,
      stream: stream as K8sLogRecord['stream'],
      partial: true,
      text: p.text,
    }));
    this.#pending.clear();
    return out;
  }
}

const MAX_MESSAGE = 16 * 1024;

function recordText(r: K8sLogRecord): string {
  return r.partial ? r.text : `${r.text}\n`;
}

/** conmon's time (RFC 3339 with an offset) as Docker prints it (UTC, `Z`). */
function dockerTime(time: string): string {
  return time.replace(/\+00:00$/, 'Z');
}

/**
 * The update body (the CLI sends every field, zero when not given): what is set changes,
 * zeros and empty strings leave the setting as it is.
 */
export function decodeUpdate(body: unknown): ContainerUpdate {
  const root = asObject(body, 'body') ?? {};
  const positive = (key: string): number | undefined => {
    const v = optNumber(root, key, 'body');
    if (v !== undefined && v < 0 && key !== 'MemorySwap' && key !== 'PidsLimit')
      throw invalidArgument(`invalid ${key}: ${v}`);
    return v === undefined || v === 0 ? undefined : v;
  };
  const cpuset = optString(root, 'CpusetCpus', 'body');
  const resources = {
    memory: positive('Memory'),
    memorySwap: positive('MemorySwap'),
    cpuShares: positive('CpuShares'),
    nanoCpus: positive('NanoCpus'),
    cpusetCpus: cpuset ? cpuset : undefined,
    // 0 and -1 (any negative) set "unlimited", kept as 0, as Docker does.
    pidsLimit: pidsLimitUpdate(optNumber(root, 'PidsLimit', 'body')),
  };
  const policy = asObject(root['RestartPolicy'], 'body.RestartPolicy');
  const name = optString(policy, 'Name', 'body.RestartPolicy') ?? '';
  if (name !== '' && !['no', 'always', 'on-failure', 'unless-stopped'].includes(name))
    throw invalidArgument(`invalid restart policy '${name}'`);
  const retries = optNumber(policy, 'MaximumRetryCount', 'body.RestartPolicy') ?? 0;
  if (retries < 0)
    throw invalidArgument('invalid restart policy: maximum retry count cannot be negative');
  if (retries > 0 && name !== 'on-failure')
    throw invalidArgument(
      "invalid restart policy: maximum retry count can only be used with 'on-failure'",
    );
  return {
    resources: Object.fromEntries(
      Object.entries(resources).filter(([, v]) => v !== undefined),
    ) as ContainerUpdate['resources'],
    ...(name !== '' ? { restartPolicy: { name, maximumRetryCount: retries } } : {}),
  };
}

function pidsLimitUpdate(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return value <= 0 ? 0 : value;
}

/** The `t` of stop and restart: seconds before SIGKILL (none: the container's own, or 10). */
function stopTimeout(query: URLSearchParams): number | undefined {
  const t = query.get('t');
  if (t === null || t === '') return undefined;
  if (!/^-?\d+$/.test(t)) throw invalidArgument(`invalid value for t: ${t}`);
  return Number.parseInt(t, 10);
}

export function containerRunRoutes(backend: ContainerRunBackend): Route[] {
  return [
    {
      methods: ['POST'],
      path: '/containers/:id/start',
      job: 'containers.start',
      handle: async ({ res, params, job }) => {
        await backend.start(params['id'] ?? '', job.signal);
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/stop',
      job: 'containers.stop',
      handle: async ({ res, params, query, job }) => {
        await backend.stop(params['id'] ?? '', stopTimeout(query), job.signal);
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/restart',
      job: 'containers.restart',
      handle: async ({ res, params, query, job }) => {
        await backend.restart(params['id'] ?? '', stopTimeout(query), job.signal);
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/update',
      job: 'containers.update',
      handle: async ({ req, res, params }) => {
        await backend.update(params['id'] ?? '', decodeUpdate(await readJsonBody(req)));
        sendJson(res, 200, { Warnings: [] });
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/pause',
      job: 'containers.pause',
      handle: async ({ res, params }) => {
        await backend.pause(params['id'] ?? '');
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/unpause',
      job: 'containers.unpause',
      handle: async ({ res, params }) => {
        await backend.unpause(params['id'] ?? '');
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/kill',
      job: 'containers.kill',
      handle: async ({ res, params, query }) => {
        await backend.kill(params['id'] ?? '', query.get('signal') ?? 'SIGKILL');
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/wait',
      job: 'containers.wait',
      kind: 'stream',
      handle: async ({ res, params, query, job }) => {
        const condition = (query.get('condition') || 'not-running') as
          'not-running' | 'next-exit' | 'removed';
        if (!['not-running', 'next-exit', 'removed'].includes(condition))
          throw invalidArgument(`invalid condition: "${condition}"`);
        backend.resolve(params['id'] ?? '');
        // The Docker CLI sends start only after these headers arrive: send them now.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        const code = await backend.wait(params['id'] ?? '', condition, job.signal);
        res.end(JSON.stringify({ Error: null, StatusCode: code }) + '\n');
      },
    },
    {
      methods: ['GET'],
      path: '/containers/:id/logs',
      job: 'containers.logs',
      kind: 'stream',
      handle: async ({ res, params, query, job }) => {
        const c = backend.resolve(params['id'] ?? '');
        if (c.host.logConfig?.type === 'none')
          throw new BerthError(
            'not-implemented',
            'configured logging driver does not support reading',
          );
        const stdout = queryBool(query, 'stdout');
        const stderr = queryBool(query, 'stderr');
        if (!stdout && !stderr)
          throw invalidArgument('Bad parameters: you must choose at least one stream');
        const follow = queryBool(query, 'follow');
        const timestamps = queryBool(query, 'timestamps');
        const tailText = query.get('tail') ?? 'all';
        const tail = tailText === 'all' || tailText === '' ? -1 : Number.parseInt(tailText, 10);
        const since = parseTimestampParam('since', query.get('since'));
        const until = parseTimestampParam('until', query.get('until'));
        // The extra attributes of each line (log-opts labels/env, none here), then a space.
        const details = queryBool(query, 'details') ? ' ' : '';
        const running = ['running', 'paused', 'restarting'].includes(c.state.status);
        res.writeHead(200);
        res.flushHeaders();
        const output = new BatchedOutput(res, job.signal);
        const emit = async (r: K8sLogRecord): Promise<void> => {
          if ((r.stream === 'stdout' && !stdout) || (r.stream === 'stderr' && !stderr)) return;
          if (since !== undefined || until !== undefined) {
            const ms = parseK8sLogTime(r.time);
            if (Number.isNaN(ms)) return;
            const ns = BigInt(ms) * 1_000_000n;
            if (since !== undefined && ns < since) return;
            if (until !== undefined && ns > until) return;
          }
          const text = `${timestamps ? `${dockerTime(r.time)} ` : ''}${details}${recordText(r)}`;
          await output.add(text, c.config.Tty ? undefined : r.stream);
        };
        // One reader: what the log holds now (its tail), then, with follow, what comes next.
        const backlog: K8sLogRecord[] = [];
        let live = false;
        const catchUp = async (): Promise<void> => {
          if (live) return;
          live = true;
          for (const r of backlog.splice(0)) await emit(r);
        };
        const lines = new LineJoiner();
        const take = async (r: K8sLogRecord): Promise<void> => {
          if (live) {
            await emit(r);
            return;
          }
          backlog.push(r);
          if (tail >= 0 && backlog.length > tail) backlog.shift();
        };
        for await (const record of backend.logs(c.id, {
          follow,
          signal: job.signal,
          onCaughtUp: catchUp,
        })) {
          const line = lines.add(record);
          if (line) await take(line);
        }
        // A line still being written is Docker's to hold back while the container runs.
        const rest = follow || !running ? lines.flush() : [];
        for (const line of rest) await take(line);
        await catchUp();
        await output.flush();
        res.end();
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/resize',
      job: 'containers.resize',
      handle: async ({ res, params, query }) => {
        const { rows, cols } = consoleSizeQuery(query);
        await backend.resize(params['id'] ?? '', rows, cols);
        res.writeHead(200, { 'Content-Length': '0' });
        res.end();
      },
    },
    {
      methods: ['POST'],
      path: '/containers/:id/attach',
      job: 'containers.attach',
      kind: 'stream',
      handle: async () => {
        throw invalidArgument('attach needs a hijacked connection (Upgrade: tcp)');
      },
      upgrade: async ({ socket, head, params, query, job }) => {
        const c = backend.resolve(params['id'] ?? '');
        const stdout = queryBool(query, 'stdout');
        const stderr = queryBool(query, 'stderr');
        acceptUpgrade(
          socket,
          c.config.Tty
            ? 'application/vnd.docker.raw-stream'
            : 'application/vnd.docker.multiplexed-stream',
        );
        backend.attached(c.id);
        const withStdin = queryBool(query, 'stdin') && c.config.OpenStdin === true;
        // A detach ends an attach with cancelled: that is no failure.
        const failure = (e: unknown): unknown => (isBerthError(e, 'cancelled') ? undefined : e);
        if (withStdin && c.config.Tty) {
          // A terminal: both directions go through the container's monitor, as typed.
          const out = stdout ? hijackedOutput(socket, 'stdout', true) : discardOutput();
          const err = stderr ? hijackedOutput(socket, 'stderr', true) : discardOutput();
          const failed = await backend
            .attach(c.id, {
              stdin: hijackedStdin(socket, head),
              stdout: out,
              stderr: err,
              signal: job.signal,
            })
            .then(() => undefined, failure);
          if (failed !== undefined) throw failed;
          await flushOutputs([out, err]);
          socket.end();
          return;
        }
        // Stdin goes in through the monitor. The output is read from the container's log, from
        // now on (from the start when the container has not started yet, as `docker run`
        // attaches before start): the monitor's attach socket drops what it had queued for a
        // client when the container exits with input still unread (the connection is reset).
        // Its failure is thrown once the output is through (caught now: it may come first).
        const inputFailure = withStdin
          ? backend
              .attach(c.id, { stdin: hijackedStdin(socket, head), signal: job.signal })
              .then(() => undefined, failure)
          : undefined;
        if (!withStdin) socket.resume();
        const fromEnd = c.state.status !== 'created';
        const output = new BatchedOutput(socket, job.signal);
        for await (const r of backend.logs(c.id, {
          follow: true,
          fromEnd,
          untilRunEnds: true,
          signal: job.signal,
        })) {
          if ((r.stream === 'stdout' && !stdout) || (r.stream === 'stderr' && !stderr)) continue;
          await output.add(recordText(r), c.config.Tty ? undefined : r.stream);
        }
        await output.flush();
        const failed = await inputFailure;
        if (failed !== undefined) throw failed;
        socket.end();
      },
    },
  ];
}
