// Which of a container's mounts a path of the archive API falls in. Docker's docker cp sees the
// container as its processes do: a path under a volume or bind (or /etc/hosts, /etc/hostname,
// /etc/resolv.conf) reads and writes the mount's source, not the root filesystem beneath it.
// The match is by the path as given, lexically: a symlink in the root filesystem leading
// into a mount is not followed into it.

import {
  basePath,
  cleanPath,
  dirPath,
  isWithin,
  preserveTrailingDotOrSeparator,
} from '../../lib/scoped-fs/go-path.js';

/** A mount of the container that the host can see (not a tmpfs). */
export interface VisibleMount {
  /** Inside the container: absolute and clean. */
  readonly destination: string;
  /** On the host: the directory mounted, or the file when `file`. */
  readonly source: string;
  /** A single file bound at `destination`: only that exact path is in it. */
  readonly file: boolean;
  readonly rw: boolean;
}

/** Where on the host a container path is: the root to hold, and the path inside it. */
export interface MountedPath {
  readonly mount: VisibleMount;
  /** A directory of the host, held as the scoped root. */
  readonly root: string;
  /** Absolute inside `root`, with the original's trailing "/" or "/." kept. */
  readonly path: string;
  /** The name the archive's top entry takes (the last element of the path as given). */
  readonly name: string;
}

/**
 * The innermost mount `path` (absolute, as containerPath() makes it) falls in, or undefined
 * when it is on the root filesystem.
 */
export function mountedPath(
  path: string,
  mounts: readonly VisibleMount[],
): MountedPath | undefined {
  const clean = cleanPath(path);
  let best: VisibleMount | undefined;
  for (const m of mounts) {
    const inside = m.file ? clean === m.destination : isWithin(m.destination, clean);
    if (inside && (!best || m.destination.length > best.destination.length)) best = m;
  }
  if (!best) return undefined;
  const name = basePath(path);
  if (best.file)
    return { mount: best, root: dirPath(best.source), path: `/${basePath(best.source)}`, name };
  const rest = clean.slice(best.destination === '/' ? 0 : best.destination.length) || '/';
  return { mount: best, root: best.source, path: preserveTrailingDotOrSeparator(rest, path), name };
}
