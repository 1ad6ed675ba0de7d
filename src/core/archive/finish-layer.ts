// The end of a layer's application: the batched work that PendingOps collected.

import { chmodSync, linkSync, lchownSync, lstatSync, lutimesSync } from 'node:fs';
import { dirname } from 'node:path';
import { BerthError } from '../errors.js';
import { SPECIAL_BITS } from './entry-meta.js';
import type { NodeSpec, PendingOps, Xattr } from './pending.js';
import { runTool } from './tool.js';
import { formatXattrBlock } from './xattr-dump.js';

export async function finishLayer(
  root: string,
  pending: PendingOps,
  signal: AbortSignal,
): Promise<void> {
  assertRealParents(root, [
    ...pending.nodes.keys(),
    ...pending.links.keys(),
    ...pending.xattrs.keys(),
    ...pending.dirTimes.keys(),
  ]);
  await createNodes(pending.nodes, signal);
  for (const [link, node] of pending.links) linkSync(node, link);
  await setXattrs(pending.xattrs, signal);
  signal.throwIfAborted();
  // Last: creating nodes and links changed their directories' mtimes.
  for (const [dir, mtime] of pending.dirTimes) lutimesSync(dir, mtime, mtime);
}

/**
 * Defence in depth: every batched path must still sit under real directories of the target
 * (entries that replaced a directory by a symlink have already dropped what was pending
 * under it, so this only fails on a bug).
 */
function assertRealParents(root: string, paths: Iterable<string>): void {
  const checked = new Set<string>([root]);
  for (const path of paths) {
    if (path !== root && !path.startsWith(`${root}/`)) throw outside(path);
    for (let dir = dirname(path); !checked.has(dir) && path !== root; dir = dirname(dir)) {
      if (!dir.startsWith(`${root}/`) || !lstatSync(dir).isDirectory()) throw outside(path);
      checked.add(dir);
    }
  }
}

function outside(path: string): BerthError {
  return new BerthError('internal', `layer application would write outside its target: ${path}`);
}

/** All device nodes and fifos, with one busybox sh (its mknod runs in-process, no exec). */
async function createNodes(
  nodes: ReadonlyMap<string, NodeSpec>,
  signal: AbortSignal,
): Promise<void> {
  if (nodes.size === 0) return;
  await runTool({ command: 'busybox', args: ['sh', '-s'], input: mknodScript(nodes), signal });
  for (const [path, node] of nodes) {
    if (node.chown) lchownSync(path, node.uid, node.gid);
    // mknod -m sets the exact mode; lchown cleared set-user/group-ID bits.
    if (node.chown && (node.mode & SPECIAL_BITS) !== 0) chmodSync(path, node.mode);
    if (node.mtime !== undefined) lutimesSync(path, node.mtime, node.mtime);
  }
}

function* mknodScript(nodes: ReadonlyMap<string, NodeSpec>): Iterable<string> {
  yield 'set -e\n';
  for (const [path, node] of nodes) {
    const mode = (node.mode & 0o7777).toString(8).padStart(4, '0');
    const device = node.type === 'p' ? '' : ` ${node.major} ${node.minor}`;
    yield `mknod -m ${mode} ${shellQuote(path)} ${node.type}${device}\n`;
  }
}

export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** All xattrs, with one setfattr (-h: a symlink's own xattrs, never its target's). */
async function setXattrs(
  xattrs: ReadonlyMap<string, readonly Xattr[]>,
  signal: AbortSignal,
): Promise<void> {
  if (xattrs.size === 0) return;
  const input = (function* () {
    for (const [path, list] of xattrs) yield formatXattrBlock(path, list);
  })();
  await runTool({ command: 'setfattr', args: ['-h', '--restore=-'], input, signal });
}
