import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hasErrno } from '../core/errors.js';
import { writeFileAtomic } from '../lib/atomic-file.js';
import { isAlive } from '../lib/process-alive.js';

export class PidfileError extends Error {
  override readonly name = 'PidfileError';
}

/** Writes this process's pid, refusing when the file names another live process (S1.4). */
export async function acquirePidfile(path: string, pid = process.pid): Promise<void> {
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
  if (existing !== undefined) {
    const other = Number.parseInt(existing.trim(), 10);
    if (Number.isInteger(other) && other > 0 && other !== pid && isAlive(other)) {
      throw new PidfileError(
        `pid file found, ensure berth is not running or delete ${path}: process with PID ${other} is still running`,
      );
    }
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await writeFileAtomic(path, `${pid}`, 0o644);
}

/** Removes the pidfile if it still names this process. */
export async function releasePidfile(path: string, pid = process.pid): Promise<void> {
  try {
    const content = await readFile(path, 'utf8');
    if (content.trim() === String(pid)) await unlink(path);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw err;
  }
}
