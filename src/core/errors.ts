// The one error type for failures a user can reach. Its kind decides the HTTP status, in one
// place (api/errors.ts); nobody matches on message text.

export type ErrorKind =
  | 'invalid-argument'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'not-modified'
  | 'not-implemented'
  | 'unavailable'
  | 'cancelled'
  | 'internal';

export class BerthError extends Error {
  override readonly name = 'BerthError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const invalidArgument = (message: string): BerthError =>
  new BerthError('invalid-argument', message);
export const notFound = (message: string): BerthError => new BerthError('not-found', message);
export const conflict = (message: string): BerthError => new BerthError('conflict', message);
export const notModified = (message = ''): BerthError => new BerthError('not-modified', message);
export const unavailable = (message: string): BerthError => new BerthError('unavailable', message);
export const cancelled = (message = 'context canceled'): BerthError =>
  new BerthError('cancelled', message);

export function isBerthError(err: unknown, kind?: ErrorKind): err is BerthError {
  return err instanceof BerthError && (kind === undefined || err.kind === kind);
}

/** True for a Node system error with one of the given codes (ENOENT, EEXIST, ...). */
export function hasErrno(err: unknown, ...codes: string[]): err is NodeJS.ErrnoException {
  return (
    typeof err === 'object' &&
    err !== null &&
    codes.includes((err as NodeJS.ErrnoException).code ?? '')
  );
}
