// Docker's check before a shared or slave bind: the source must sit on a mount that can
// propagate (a shared mount for shared, a shared or slave one for slave), or nothing would.

import { readFile, realpath } from 'node:fs/promises';
import { invalidArgument } from '../../core/errors.js';
import { unescapeMountField } from '../../core/layers/mountinfo.js';

/** The mount point holding `path` and its propagation tags (`shared:1`, `master:2`). */
export function mountOf(
  mountinfo: string,
  path: string,
): { point: string; tags: string[] } | undefined {
  let best: { point: string; tags: string[] } | undefined;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator === -1) continue;
    const point = unescapeMountField(fields[4] ?? '');
    const within = point === '/' || path === point || path.startsWith(`${point}/`);
    // The last mount on a point is the visible one: later lines win ties.
    if (within && (!best || point.length >= best.point.length))
      best = { point, tags: fields.slice(6, separator) };
  }
  return best;
}

/** Refuses a shared (or slave) bind whose source cannot propagate, in Docker's words. */
export async function checkPropagation(source: string, propagation: string): Promise<void> {
  const shared = propagation === 'shared' || propagation === 'rshared';
  const slave = propagation === 'slave' || propagation === 'rslave';
  if (!shared && !slave) return;
  const real = await realpath(source);
  const mount = mountOf(await readFile('/proc/self/mountinfo', 'utf8'), real);
  const tags = mount?.tags ?? [];
  const isShared = tags.some((t) => t.startsWith('shared:'));
  const isSlave = tags.some((t) => t.startsWith('master:'));
  if (shared && !isShared)
    throw invalidArgument(
      `path ${source} is mounted on ${mount?.point ?? '/'} but it is not a shared mount`,
    );
  if (slave && !isShared && !isSlave)
    throw invalidArgument(
      `path ${source} is mounted on ${mount?.point ?? '/'} but it is not a shared or slave mount`,
    );
}
