import { randomInt } from 'node:crypto';

/** Length of the short names in `<root>/l/` that stand for layers' diff dirs. */
export const LINK_NAME_LENGTH = 26;
const LINK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The most lower layers one overlay mount stacks (Docker's overlay2 maxDepth). */
export const MAX_LOWER_DEPTH = 128;

/**
 * The longest option string mount(2) accepts: the kernel copies one page (4096 bytes on
 * x86_64 and most arm64 kernels), and the string ends with a NUL inside it.
 */
export const MOUNT_OPTIONS_LIMIT = 4095;

/** A random link name: 26 characters of [A-Z0-9]. */
export function generateLinkName(random: (max: number) => number = randomInt): string {
  let name = '';
  for (let i = 0; i < LINK_NAME_LENGTH; i++) name += LINK_ALPHABET[random(LINK_ALPHABET.length)];
  return name;
}

export function isLinkName(text: string): boolean {
  return /^[A-Z0-9]{26}$/.test(text);
}

/**
 * The `lower` file of a layer whose parent has link `parentLink` and lower file `parentLower`
 * (undefined for a base parent): the parent first, then its ancestors, nearest first.
 */
export function buildLowerChain(parentLink: string, parentLower: string | undefined): string {
  const own = `l/${parentLink}`;
  return parentLower ? `${own}:${parentLower}` : own;
}

/** The number of layers in a lower chain. */
export function lowerDepth(lower: string): number {
  return lower === '' ? 0 : lower.split(':').length;
}

export interface OverlayMountOptions {
  /** The lower chain, paths relative to the driver's root (`l/ABC:l/DEF`). */
  readonly lower: string;
  /** The layer id: upper and work dirs are `<id>/diff` and `<id>/work`, relative to the root. */
  readonly id: string;
  /** Prepend `index=off` (when the kernel has the option), as Docker does. */
  readonly indexOff: boolean;
}

/** The `-o` string for mounting a layer; mount runs with its cwd at the driver's root. */
export function buildOverlayMountOptions(options: OverlayMountOptions): string {
  const parts = [
    ...(options.indexOff ? ['index=off'] : []),
    `lowerdir=${options.lower}`,
    `upperdir=${options.id}/diff`,
    `workdir=${options.id}/work`,
  ];
  return parts.join(',');
}
