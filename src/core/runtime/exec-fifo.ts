// runc's start, done in-process. A created container's init waits, inside runc, to open
// `<runc root>/<id>/exec.fifo` for writing; it writes one byte once a reader opens the fifo,
// then runs the container's process. `runc start` is that reader, and removes the fifo after
// (runc then sees the container as running). Doing the same here saves a runc process per
// start (~10 ms of the run latency on a 2-core machine).

import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';
import { hasErrno } from '../errors.js';

/** Tries this many times between turns of the event loop before sleeping POLL_MS between them. */
const QUICK_TRIES = 200;
const POLL_MS = 1;

export type FifoStart = 'started' | 'no-fifo';

/**
 * Releases the init waiting on `fifo`. 'no-fifo' when there is none (not runc's layout, or not
 * a created container): the caller falls back to the runtime's own start. Rejects when the
 * init does not write within `timeoutMs` (it died, or is stuck); `alive` ends the wait early
 * when the init is gone.
 *
 * The fifo is on the exec root's tmpfs and opened non-blocking, so each call returns at once:
 * they are made synchronously, and the byte, which usually follows the open within
 * microseconds, is looked for at every turn of the event loop before a 1 ms poll takes over.
 */
export async function releaseExecFifo(
  fifo: string,
  options: { timeoutMs: number; alive: () => boolean },
): Promise<FifoStart> {
  let fd: number;
  try {
    // Non-blocking: the open succeeds at once, and the init's open for writing completes.
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (hasErrno(err, 'ENOENT')) return 'no-fifo';
    throw err;
  }
  const byte = Buffer.alloc(1);
  // 0 bytes: the init has not opened its end yet; EAGAIN: it has, and not written yet.
  const taken = (): boolean => {
    try {
      return readSync(fd, byte, 0, 1, null) === 1;
    } catch (err) {
      if (hasErrno(err, 'EAGAIN')) return false;
      throw err;
    }
  };
  try {
    const deadline = Date.now() + options.timeoutMs;
    for (let tries = 0; !taken(); tries++) {
      if (!options.alive()) {
        // It may have taken the go, run and exited between the read and this check.
        if (taken()) break;
        throw new Error('the container process exited before it was started');
      }
      if (Date.now() > deadline)
        throw new Error(`the container process did not start within ${options.timeoutMs} ms`);
      await new Promise((resolve) =>
        tries < QUICK_TRIES ? setImmediate(resolve) : setTimeout(resolve, POLL_MS),
      );
    }
  } finally {
    closeSync(fd);
  }
  try {
    unlinkSync(fifo);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  return 'started';
}
