import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConmonArgs, conmonEnv, containerPaths, runtimeGlobalArgs } from './conmon-args.js';

const ID = 'a'.repeat(64);
const paths = containerPaths('/run/berth/containers', ID);

describe('containerPaths', () => {
  it('puts conmon files in the container dir and exit files in exits/', () => {
    assert.deepEqual(paths, {
      dir: `/run/berth/containers/${ID}`,
      config: `/run/berth/containers/${ID}/config.json`,
      pidFile: `/run/berth/containers/${ID}/pidfile`,
      conmonPidFile: `/run/berth/containers/${ID}/conmon.pid`,
      attachSocket: `/run/berth/containers/${ID}/attach`,
      ctlFifo: `/run/berth/containers/${ID}/ctl`,
      exitDir: '/run/berth/containers/exits',
      exitFile: `/run/berth/containers/exits/${ID}`,
    });
  });
});

describe('buildConmonArgs', () => {
  const base = {
    id: ID,
    runtimePath: '/usr/sbin/runc',
    runtimeRoot: '/run/berth/runc',
    paths,
    logPath: '/var/lib/berth/containers/x/ctr.log',
  };

  it('builds the argv of a plain container', () => {
    assert.deepEqual(buildConmonArgs({ ...base, tty: false, openStdin: false }), [
      '--api-version',
      '1',
      '-c',
      ID,
      '-u',
      ID,
      '-n',
      ID,
      '-r',
      '/usr/sbin/runc',
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
      'k8s-file:/var/lib/berth/containers/x/ctr.log',
      '--log-level',
      'warn',
      '--runtime-arg',
      '--log-format=json',
      '--runtime-arg',
      '--root=/run/berth/runc',
    ]);
  });

  const tail = (args: string[]): string[] => args.slice(args.indexOf('--root=/run/berth/runc') + 1);

  it('adds -t for a terminal and never -i with it', () => {
    assert.deepEqual(tail(buildConmonArgs({ ...base, tty: true, openStdin: true })), ['-t']);
  });

  it('adds -i for open stdin, --leave-stdin-open when asked, and the log size', () => {
    assert.deepEqual(
      tail(
        buildConmonArgs({
          ...base,
          tty: false,
          openStdin: true,
          leaveStdinOpen: true,
          logMaxSize: 1048576.7,
        }),
      ),
      ['--log-size-max', '1048576', '-i', '--leave-stdin-open'],
    );
    assert.deepEqual(tail(buildConmonArgs({ ...base, tty: false, openStdin: true })), ['-i']);
  });

  it('leaves --root to the runtime when no root is given', () => {
    const { runtimeRoot: _root, ...noRoot } = base;
    const args = buildConmonArgs({ ...noRoot, tty: false, openStdin: false });
    assert.ok(!args.some((arg) => arg.startsWith('--root')));
    assert.deepEqual(runtimeGlobalArgs(undefined), ['--log-format=json']);
    assert.deepEqual(runtimeGlobalArgs('/r'), ['--log-format=json', '--root=/r']);
  });
});

describe('conmonEnv', () => {
  it('drops the daemon-only variables and the pipe numbers of others', () => {
    const env = conmonEnv({
      PATH: '/usr/bin',
      NOTIFY_SOCKET: '/run/systemd/notify',
      LISTEN_FDS: '1',
      LISTEN_PID: '5',
      LISTEN_FDNAMES: 'x',
      _OCI_STARTPIPE: '9',
      _OCI_SYNCPIPE: '4',
      HOME: undefined,
    });
    assert.deepEqual(env, { PATH: '/usr/bin' });
  });
});
