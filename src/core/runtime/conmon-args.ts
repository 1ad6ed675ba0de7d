// The argv and environment berth gives conmon (2.1.x) for one container, and the layout of the
// files conmon and runc keep for it. Pure: unit-tested without root.
//
// Layout under the runtime state dir (ConmonRuntimeOptions.stateDir, e.g. /run/berth/containers):
//
//   <stateDir>/<id>/            conmon's "bundle" (-b): runc create runs with --bundle here
//     config.json               the caller's spec, copied with root.path made absolute
//     pidfile                   the container's init pid (runc create --pid-file, via -p)
//     conmon.pid                the monitor's pid (-P / --conmon-pidfile)
//     attach                    conmon's attach socket (unix SOCK_SEQPACKET, --full-attach)
//     ctl, winsz                conmon's control fifos (resize, reopen log)
//   <stateDir>/exits/<id>       the exit file (--exit-dir): the exit status as decimal text
//
// Everything that must survive a daemon restart lives in these files: a new ConmonRuntime over
// the same stateDir and runtimeRoot finds every container an earlier one made.

import { join } from 'node:path';

export interface ContainerPaths {
  readonly dir: string;
  readonly config: string;
  readonly pidFile: string;
  readonly conmonPidFile: string;
  readonly attachSocket: string;
  readonly ctlFifo: string;
  readonly exitDir: string;
  readonly exitFile: string;
}

export const EXITS_DIR = 'exits';

export function containerPaths(stateDir: string, id: string): ContainerPaths {
  const dir = join(stateDir, id);
  const exitDir = join(stateDir, EXITS_DIR);
  return {
    dir,
    config: join(dir, 'config.json'),
    pidFile: join(dir, 'pidfile'),
    conmonPidFile: join(dir, 'conmon.pid'),
    attachSocket: join(dir, 'attach'),
    ctlFifo: join(dir, 'ctl'),
    exitDir,
    exitFile: join(exitDir, id),
  };
}

export interface ConmonArgsInput {
  readonly id: string;
  readonly runtimePath: string;
  /** runc's --root (its state dir); omitted: the runtime's default. */
  readonly runtimeRoot?: string;
  readonly paths: ContainerPaths;
  readonly logPath: string;
  readonly logMaxSize?: number;
  readonly tty: boolean;
  readonly openStdin: boolean;
  /** With openStdin: keep the container's stdin open when an attached client goes away. */
  readonly leaveStdinOpen?: boolean;
}

/**
 * conmon's argv (without the program). Each flag and why:
 * - `--api-version 1`: the sync pipe carries `{"data": <pid>}` / `{"data": -1, "message": ...}`.
 * - `-c/-u/-n <id>`: the container id for runc, the attach-socket uuid and the name (all the id).
 * - `-r <runtime>`: runc (or crun); `--runtime-arg` pass runc's global flags: `--root` keeps
 *   berth's containers apart from other engines', `--log-format json` makes runc's error message
 *   one JSON line that conmon forwards on the sync pipe.
 * - `-b <dir>`: conmon's bundle is the container's state dir: runc create reads config.json
 *   there, and conmon puts its attach socket and fifos there (`--full-attach`: at
 *   `<dir>/attach`, no symlink under /var/run/crio).
 * - `-p`, `-P`: the container's and the monitor's pid files.
 * - `--exit-dir`: where the monitor writes `<id>` with the exit status when the container exits
 *   (128+n for a signal n) — the record that outlives the daemon.
 * - `-l k8s-file:<path>`, `--log-size-max`: the container log (see k8s-log.ts).
 * - `-t` for a terminal (runc gets a console socket), else `-i` (openStdin) for a stdin pipe,
 *   and `--leave-stdin-open` to keep that pipe open after an attached client disconnects.
 * - `--log-level warn`: conmon's own messages (to its stderr until it detaches).
 * No `--sync`: conmon forks, the parent exits once the monitor is set up, and the monitor
 * calls setsid() and becomes a subreaper — it is nobody's child that dies with the daemon.
 */
export function buildConmonArgs(input: ConmonArgsInput): string[] {
  const { id, paths } = input;
  const args = [
    '--api-version',
    '1',
    '-c',
    id,
    '-u',
    id,
    '-n',
    id,
    '-r',
    input.runtimePath,
    '-b',
    paths.dir,
    '-p',
    paths.pidFile,
    '-P',
    paths.conmonPidFile,
    '--exit-dir',
    paths.exitDir,
    '--full-attach',
    '-l',
    `k8s-file:${input.logPath}`,
    '--log-level',
    'warn',
    '--runtime-arg',
    '--log-format=json',
  ];
  if (input.runtimeRoot !== undefined) args.push('--runtime-arg', `--root=${input.runtimeRoot}`);
  if (input.logMaxSize !== undefined && input.logMaxSize > 0) {
    args.push('--log-size-max', String(Math.floor(input.logMaxSize)));
  }
  if (input.tty) args.push('-t');
  // With -t, input goes to the terminal; -i (a stdin pipe) is only for containers without one,
  // as podman does: conmon would close the terminal itself when a client detaches.
  if (input.openStdin && !input.tty) {
    args.push('-i');
    if (input.leaveStdinOpen) args.push('--leave-stdin-open');
  }
  return args;
}

/** Variables of the daemon that must not reach conmon or runc (they are the daemon's own). */
const DAEMON_ONLY = new Set([
  'NOTIFY_SOCKET', // systemd notify: runc would proxy it into the container
  'LISTEN_FDS', // socket activation: conmon rewrites LISTEN_PID for its child
  'LISTEN_PID',
  'LISTEN_FDNAMES',
]);

/** Where conmon reads the number of the fd it reports on (the container's pid, or why not). */
export const SYNC_PIPE_ENV = '_OCI_SYNCPIPE';

/** conmon's environment: the daemon's, less its own sd_notify/activation variables and any
 * _OCI_ pipe numbers (the sync pipe's is set by whoever makes the pipe). */
export function conmonEnv(base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !DAEMON_ONLY.has(key) && !key.startsWith('_OCI_')) env[key] = value;
  }
  return env;
}

/** runc's global flags for the commands berth runs itself (state, start, kill, ...). */
export function runtimeGlobalArgs(runtimeRoot: string | undefined): string[] {
  const args = ['--log-format=json'];
  if (runtimeRoot !== undefined) args.push(`--root=${runtimeRoot}`);
  return args;
}
