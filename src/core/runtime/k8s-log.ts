// The container log format conmon writes with `--log-path k8s-file:<path>` (the CRI log format):
// one record per line,
//
//   <RFC3339Nano time> <stdout|stderr> <F|P> <text>\n
//
// `F` is a full line (the container wrote a newline after text; the newline itself is not in
// the record), `P` a partial one (conmon flushed text without a newline: a long line split at
// its buffer size, or output that ended without one). A container line is rebuilt by joining
// the texts of its P records and the F record that ends it, then adding "\n".

export type LogStream = 'stdout' | 'stderr';

export interface K8sLogRecord {
  /** The time conmon read the text, as written (RFC 3339 with nanoseconds and an offset). */
  readonly time: string;
  readonly stream: LogStream;
  /** True for a `P` record: the text does not end a line. */
  readonly partial: boolean;
  /** The text without the record's newline. */
  readonly text: string;
}

/**
 * Parses one record (with or without its trailing "\n"); undefined for a line that is not a
 * record (a truncated last line after a crash, an empty line).
 */
export function parseK8sLogLine(line: string): K8sLogRecord | undefined {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  const timeEnd = body.indexOf(' ');
  if (timeEnd <= 0) return undefined;
  const streamEnd = body.indexOf(' ', timeEnd + 1);
  if (streamEnd < 0) return undefined;
  const stream = body.slice(timeEnd + 1, streamEnd);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = body.slice(streamEnd + 1, streamEnd + 2);
  if (tag !== 'F' && tag !== 'P') return undefined;
  // The tag is followed by one space and the text; an empty full line may end right at the tag.
  const rest = body.slice(streamEnd + 2);
  if (rest !== '' && !rest.startsWith(' ')) return undefined;
  const time = body.slice(0, timeEnd);
  if (!RFC3339.test(time)) return undefined;
  return { time, stream, partial: tag === 'P', text: rest.slice(1) };
}

/** A record's time: RFC 3339 with an optional fraction of any length and an offset. */
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the epoch of a record's time (what `docker logs --since/--until` compare);
 * NaN when it is not RFC 3339. Nanoseconds beyond the millisecond are dropped.
 */
export function parseK8sLogTime(time: string): number {
  // Date.parse takes at most milliseconds; keep three fraction digits.
  const m = RFC3339.exec(time);
  if (!m) return Number.NaN;
  const fraction = (m[2] ?? '').slice(0, 3).padEnd(3, '0');
  return Date.parse(`${m[1]}.${fraction}${m[3]}`);
}

/**
 * Splits a stream of log bytes into records, keeping a partial trailing line for the next
 * chunk (for following a log that conmon is still writing). Lines that are not records are
 * skipped. Holds at most one unfinished line.
 */
export class K8sLogDecoder {
  #pending = '';

  /** Feeds a chunk (decoded as UTF-8 by the caller); returns the complete records in it. */
  push(chunk: string): K8sLogRecord[] {
    const data = this.#pending + chunk;
    const lines = data.split('\n');
    this.#pending = lines.pop() ?? '';
    const records: K8sLogRecord[] = [];
    for (const line of lines) {
      const record = parseK8sLogLine(line);
      if (record) records.push(record);
    }
    return records;
  }

  /** The record in an unfinished last line, if it parses (at the end of a file that is final). */
  end(): K8sLogRecord[] {
    const rest = this.#pending;
    this.#pending = '';
    const record = rest === '' ? undefined : parseK8sLogLine(rest);
    return record ? [record] : [];
  }
}
