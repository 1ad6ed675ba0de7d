// Failures a command reports with an exit status of its own (main.ts prints them).

/**
 * A failure of `run`/`create` before the container runs: printed as `berth: <message>` with a
 * pointer to --help, exit 125 (127 or 126 when the command cannot be run), as `docker run`.
 */
export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    message: string,
    readonly code = 125,
  ) {
    super(message);
  }
}

/** A message (printed as is, unless empty) and the exit status that goes with it. */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
