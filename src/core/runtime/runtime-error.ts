// What runc said when it failed, and the BerthError kind that fits. runc runs with
// `--log-format json`, so its stderr (and the message conmon relays on the sync pipe) holds JSON
// lines `{"level":"error","msg":"...","time":"..."}`; older runtimes or crun may print logrus
// text (`time=... level=error msg="..."`) or plain text, which are read too.

import { BerthError, type ErrorKind } from '../errors.js';

/** The error message in a runtime's stderr: the last error-level record, else the last line. */
export function runtimeErrorMessage(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  let last: string | undefined;
  for (const line of lines) {
    const message = recordMessage(line);
    if (message !== undefined) last = message;
  }
  return last ?? lines.at(-1) ?? '';
}

function recordMessage(line: string): string | undefined {
  if (line.startsWith('{')) {
    try {
      const record = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (
        typeof record.msg === 'string' &&
        (record.level === 'error' || record.level === 'fatal')
      ) {
        return record.msg;
      }
      return undefined;
    } catch {
      return undefined; // not JSON after all: a plain line
    }
  }
  const text = /\blevel=(?:error|fatal)\s+msg="((?:[^"\\]|\\.)*)"/.exec(line);
  if (text) {
    try {
      return JSON.parse(`"${text[1]}"`) as string;
    } catch {
      return text[1];
    }
  }
  return undefined;
}

/**
 * The kind for a runtime failure. runc reports these states only in words (it has no error
 * codes), so its stable phrases are matched here, in this one place:
 * - "does not exist" (no such container) → not-found;
 * - "not running", "not paused", "not stopped", "already paused", "exists" → conflict
 *   (the container is in the wrong state for the operation);
 * - a process that cannot be executed (no such file, not found in $PATH, permission denied)
 *   → invalid-argument, as Docker reports a bad command;
 * - anything else → internal.
 */
export function runtimeErrorKind(message: string): ErrorKind {
  const text = message.toLowerCase();
  if (text.includes('does not exist')) return 'not-found';
  if (
    /\bnot (running|paused|stopped)\b/.test(text) ||
    text.includes('already paused') ||
    text.includes('already exists') ||
    text.includes('container with id exists') ||
    text.includes('cannot delete container that is not stopped')
  ) {
    return 'conflict';
  }
  if (
    text.includes('executable file not found') ||
    text.includes('no such file or directory') ||
    text.includes('permission denied') ||
    text.includes('is a directory')
  ) {
    return 'invalid-argument';
  }
  return 'internal';
}

/** A BerthError for a runtime's failure output, named by the operation. */
export function runtimeError(operation: string, output: string): BerthError {
  const message = runtimeErrorMessage(output) || `${operation} failed`;
  return new BerthError(runtimeErrorKind(message), message);
}
