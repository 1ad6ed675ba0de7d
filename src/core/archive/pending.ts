// What a layer's application leaves for its end, to do in batches: device nodes and fifos
// (one busybox sh for all), hard links to those, xattrs (one setfattr for all), and
// directory mtimes (after every child is written). Keyed by absolute real path.

export interface NodeSpec {
  readonly type: 'c' | 'b' | 'p';
  readonly major: number;
  readonly minor: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds; undefined leaves the creation time (overlay whiteouts). */
  readonly mtime: number | undefined;
  /** lchown after mknod (non-root owner, or a set-group-ID parent). */
  readonly chown: boolean;
}

export type Xattr = readonly [name: string, value: Buffer];

export class PendingOps {
  readonly nodes = new Map<string, NodeSpec>();
  /** Hard links to pending nodes: link path → node path. */
  readonly links = new Map<string, string>();
  readonly xattrs = new Map<string, Xattr[]>();
  readonly dirTimes = new Map<string, number>();

  addXattrs(abs: string, xattrs: readonly Xattr[]): void {
    if (xattrs.length === 0) return;
    const list = this.xattrs.get(abs);
    if (list === undefined) this.xattrs.set(abs, [...xattrs]);
    else list.push(...xattrs);
  }

  /** True if `abs` is a node or link still to be created. */
  isPendingNode(abs: string): boolean {
    return this.nodes.has(abs) || this.links.has(abs);
  }

  /** A new entry takes the place of the node or link still to be created at `abs`. */
  supersede(abs: string): void {
    this.nodes.delete(abs);
    this.links.delete(abs);
  }

  /** `abs` was removed from disk: drop what was pending for it (and under it, if `subtree`). */
  forget(abs: string, subtree: boolean): void {
    const maps = [this.nodes, this.links, this.xattrs, this.dirTimes];
    for (const map of maps) map.delete(abs);
    if (!subtree) return;
    const prefix = `${abs}/`;
    for (const map of maps) {
      for (const key of map.keys()) if (key.startsWith(prefix)) map.delete(key);
    }
  }
}
