import type { ExecConfig, ExecState, ExecStreams } from '../../../core/containers/exec.js';
import { invalidArgument } from '../../../core/errors.js';
import { asObject, optBool, optString, optStrings } from '../../decode.js';
import { acceptUpgrade } from '../../errors.js';
import {
  discardOutput,
  flushOutputs,
  hijackedOutput,
  hijackedStdin,
  readHijackBody,
  consoleSizeQuery,
} from '../../hijack.js';
import { readJsonBody, sendJson } from '../../http.js';
import type { Route } from '../../route.js';

/** What exec needs from the daemon (ExecService satisfies it). */
export interface ExecBackend {
  create(ref: string, config: ExecConfig): string;
  inspect(id: string): ExecState;
  checkStartable(id: string): ExecState;
  start(id: string, io: ExecStreams): Promise<number>;
  resize(id: string, rows: number, cols: number): void;
}

export function decodeExecConfig(body: unknown): ExecConfig {
  const root = asObject(body, 'body');
  if (!root) throw invalidArgument('No exec command specified');
  return {
    cmd: optStrings(root, 'Cmd', 'body') ?? [],
    env: optStrings(root, 'Env', 'body') ?? [],
    user: optString(root, 'User', 'body') ?? '',
    workingDir: optString(root, 'WorkingDir', 'body') ?? '',
    tty: optBool(root, 'Tty', 'body') ?? false,
    privileged: optBool(root, 'Privileged', 'body') ?? false,
    attachStdin: optBool(root, 'AttachStdin', 'body') ?? false,
    attachStdout: optBool(root, 'AttachStdout', 'body') ?? false,
    attachStderr: optBool(root, 'AttachStderr', 'body') ?? false,
    detachKeys: optString(root, 'DetachKeys', 'body') ?? '',
  };
}

function decodeStartBody(body: unknown): { detach: boolean } {
  const root = asObject(body, 'body');
  return { detach: optBool(root, 'Detach', 'body') ?? false };
}

/** `GET /exec/{id}/json`, in Docker's shape and key order. */
export function toExecInspect(e: ExecState): Record<string, unknown> {
  const [entrypoint, ...args] = e.config.cmd;
  return {
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: {
      tty: e.config.tty,
      entrypoint: entrypoint ?? '',
      arguments: args,
      privileged: e.config.privileged,
      ...(e.config.user ? { user: e.config.user } : {}),
    },
    OpenStdin: e.config.attachStdin,
    OpenStderr: e.config.attachStderr,
    OpenStdout: e.config.attachStdout,
    CanRemove: false,
    ContainerID: e.containerId,
    DetachKeys: e.config.detachKeys,
    Pid: e.pid,
  };
}

export function execRoutes(backend: ExecBackend): Route[] {
  return [
    {
      methods: ['POST'],
      path: '/containers/:id/exec',
      job: 'exec.create',
      handle: async ({ req, res, params }) => {
        const id = backend.create(params['id'] ?? '', decodeExecConfig(await readJsonBody(req)));
        sendJson(res, 201, { Id: id });
      },
    },
    {
      methods: ['GET'],
      path: '/exec/:id/json',
      job: 'exec.inspect',
      handle: async ({ res, params }) =>
        sendJson(res, 200, toExecInspect(backend.inspect(params['id'] ?? ''))),
    },
    {
      methods: ['POST'],
      path: '/exec/:id/resize',
      job: 'exec.resize',
      handle: async ({ res, params, query }) => {
        const { rows, cols } = consoleSizeQuery(query);
        backend.resize(params['id'] ?? '', rows, cols);
        res.writeHead(200, { 'Content-Length': '0' });
        res.end();
      },
    },
    {
      methods: ['POST'],
      path: '/exec/:id/start',
      job: 'exec.start',
      kind: 'stream',
      // Without a hijack: detached (200 at once), or the output as the response body.
      handle: async ({ req, res, params }) => {
        const id = params['id'] ?? '';
        const { detach } = decodeStartBody(await readJsonBody(req));
        const e = backend.checkStartable(id);
        if (detach) {
          void backend
            .start(id, { stdout: discardOutput(), stderr: discardOutput() })
            .catch(() => undefined);
          res.writeHead(200, { 'Content-Length': '0' });
          res.end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
        res.flushHeaders();
        const raw = e.config.tty;
        const stdout = hijackedOutput(res, 'stdout', raw);
        const stderr = hijackedOutput(res, 'stderr', raw);
        await backend.start(id, { stdout, stderr });
        await flushOutputs([stdout, stderr]);
        res.end();
      },
      upgrade: async ({ req, socket, head, params }) => {
        const id = params['id'] ?? '';
        const { body, rest } = await readHijackBody(req, socket, head);
        let parsed: unknown;
        try {
          parsed = body.length > 0 ? (JSON.parse(body.toString('utf8')) as unknown) : undefined;
        } catch (err) {
          throw invalidArgument(`invalid JSON in request body: ${(err as Error).message}`);
        }
        decodeStartBody(parsed);
        const e = backend.checkStartable(id);
        const raw = e.config.tty;
        acceptUpgrade(
          socket,
          raw ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
        );
        const stdin = e.config.attachStdin ? hijackedStdin(socket, rest) : undefined;
        if (!stdin) socket.resume(); // the client half-closes; keep reading so its FIN is seen
        const stdout = e.config.attachStdout
          ? hijackedOutput(socket, 'stdout', raw)
          : discardOutput();
        const stderr = e.config.attachStderr
          ? hijackedOutput(socket, 'stderr', raw)
          : discardOutput();
        try {
          await backend.start(id, { ...(stdin ? { stdin } : {}), stdout, stderr });
        } catch (err) {
          // Past the 101 there is no status to send: the message goes out as output.
          stdout.write(`Error: ${(err as Error).message}\r\n`);
        }
        await flushOutputs([stdout, stderr]);
        socket.end();
      },
    },
  ];
}
