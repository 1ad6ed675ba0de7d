// `berth exec`: a command in a running container, as `docker exec` runs it (inspect, exec
// create, hijacked start, resize, then the exec's exit code as berth's exit status).

import { readFileSync } from 'node:fs';
import { flagBool, flagList, flagString } from '../../lib/flags.js';
import type { ExecCreateRequest } from '../../types/docker/exec.js';
import type { Command } from '../command.js';
import { envValue, parseEnvFile } from '../container-options.js';
import { ExitError, RunError } from '../errors.js';
import { monitorTerminalSize, runSession, type SessionEnd } from '../session.js';
import { checkTty } from './run.js';

function execEnv(files: readonly string[], values: readonly string[]): string[] {
  try {
    const fromFiles = files.flatMap((file) => {
      let content: string;
      try {
        content = readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          throw new RunError(`open ${file}: no such file or directory`);
        throw err;
      }
      return parseEnvFile(content, process.env);
    });
    return [...fromFiles, ...values.map((v) => envValue(v, process.env))];
  } catch (err) {
    // exec reports these as plain errors (exit 1), not as run's usage failures.
    if (err instanceof RunError) throw new ExitError(err.message, 1);
    throw err;
  }
}

export const execCommand: Command = {
  name: 'exec',
  summary: 'Execute a command in a running container',
  usage: 'berth exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  interspersed: false,
  arity: { min: 2 },
  flags: [
    {
      name: 'detach',
      short: 'd',
      type: 'bool',
      help: 'Detached mode: run command in the background',
    },
    {
      name: 'detach-keys',
      type: 'string',
      help: 'Override the key sequence for detaching a container',
    },
    { name: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
    { name: 'env-file', type: 'list', help: 'Read in a file of environment variables' },
    {
      name: 'interactive',
      short: 'i',
      type: 'bool',
      help: 'Keep STDIN open even if not attached',
    },
    { name: 'privileged', type: 'bool', help: 'Give extended privileges to the command' },
    { name: 'tty', short: 't', type: 'bool', help: 'Allocate a pseudo-TTY' },
    {
      name: 'user',
      short: 'u',
      type: 'string',
      help: 'Username or UID (format: "<name|uid>[:<group|gid>]")',
    },
    { name: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
  ],
  async run(ctx, flags) {
    const [container = '', ...cmd] = flags.args;
    const detach = flagBool(flags, 'detach');
    const interactive = flagBool(flags, 'interactive');
    const tty = flagBool(flags, 'tty');
    const env = execEnv(flagList(flags, 'env-file'), flagList(flags, 'env'));
    const body: ExecCreateRequest = {
      User: flagString(flags, 'user'),
      Privileged: flagBool(flags, 'privileged'),
      Tty: tty,
      AttachStdin: interactive && !detach,
      AttachStderr: !detach,
      AttachStdout: !detach,
      Detach: detach,
      DetachKeys: flagString(flags, 'detach-keys'),
      Env: env.length > 0 ? env : null,
      WorkingDir: flagString(flags, 'workdir'),
      Cmd: cmd,
    };
    const client = ctx.client();
    // A missing container is reported before the terminal check, as by the Docker CLI.
    await client.inspectContainer(container);
    if (!detach) checkTty(ctx, body.AttachStdin, tty);
    const { Id } = await client.createExec(container, body);
    if (detach) {
      await client.startExecDetached(Id, tty);
      return 0;
    }
    const socket = await client.startExecAttached(Id, tty);
    const session = runSession({
      socket,
      tty,
      stdin: interactive ? ctx.stdin : undefined,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      detachKeys: body.DetachKeys,
      signal: ctx.signal,
    });
    const stopResize =
      tty && ctx.stdin.isTTY
        ? monitorTerminalSize({
            out: ctx.stdout,
            stderr: ctx.stderr,
            resize: (rows, cols) => client.resize('exec', Id, rows, cols),
          })
        : () => undefined;
    let end: SessionEnd;
    try {
      end = await session;
    } finally {
      stopResize();
    }
    if (end === 'detached') throw new ExitError('read escape sequence', 1);
    if (end === 'aborted') return 0;
    return (await client.inspectExec(Id)).ExitCode ?? 0;
  },
};
