import { ApiError } from '../client/client.js';
import type { CliContext } from './command.js';

/**
 * Runs `action` for every argument, as the Docker CLI does for rm, rmi, stop...: a daemon error
 * is printed and the next argument is tried; the exit status is 1 if any failed.
 */
export async function eachArgument(
  ctx: CliContext,
  names: readonly string[],
  action: (name: string) => Promise<void>,
): Promise<number> {
  let failed = false;
  for (const name of names) {
    try {
      await action(name);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      ctx.stderr.write(`Error response from daemon: ${err.message}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
