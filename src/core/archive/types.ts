// The contract of layer archives (tar streams) — see apply.ts and pack.ts.

/**
 * How deletions in a layer are represented on disk:
 * - 'overlay': as overlayfs expects them in a layer's diff dir — a whiteout is a 0/0 character
 *   device named like the deleted entry; an opaque directory carries the xattr
 *   `trusted.overlay.opaque=y`.
 * - 'delete': the layer dir is a full copy of its parent (vfs); whiteouts delete what they name.
 */
export type WhiteoutFormat = 'overlay' | 'delete';

export interface ApplyOptions {
  /** The directory the entries are written into. Nothing is ever written outside it. */
  readonly target: string;
  readonly whiteouts: WhiteoutFormat;
  readonly signal?: AbortSignal;
}

export interface ApplyResult {
  /** Bytes of regular-file content written (the layer's size as `docker images` counts it). */
  readonly size: number;
}

export interface PackOptions {
  /** The directory whose content becomes the tar's entries (paths relative to it). */
  readonly root: string;
  /** 'overlay': turn overlay whiteouts/opaque dirs found in root back into `.wh.` entries. */
  readonly whiteouts?: WhiteoutFormat;
  readonly signal?: AbortSignal;
}

export interface PackChangesOptions {
  /** The directory the entries are read from. */
  readonly root: string;
  /** Paths under root (`/etc/passwd`); a deleted one becomes a `.wh.` entry. */
  readonly entries: readonly { readonly path: string; readonly deleted: boolean }[];
  readonly signal?: AbortSignal;
}
