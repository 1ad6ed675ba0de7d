// Docker's checks of --memory and --memory-swap, at create and at update, in its words.

import { invalidArgument } from '../errors.js';

const MIN_MEMORY = 6 * 1024 * 1024;

/**
 * `memory` and `memorySwap` as they will be in force (0 or undefined: none; swap -1:
 * unlimited). At create (not update) a swap limit needs a memory limit.
 */
export function checkMemoryLimits(
  limits: { readonly memory?: number | undefined; readonly memorySwap?: number | undefined },
  options: { readonly update: boolean },
): void {
  const memory = limits.memory ?? 0;
  const swap = limits.memorySwap ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY)
    throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory)
    throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (!options.update && memory === 0 && swap > 0)
    throw invalidArgument(
      'You should always set the Memory limit when using Memoryswap limit, see usage',
    );
}
