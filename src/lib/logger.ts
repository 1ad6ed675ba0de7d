// A small structured logger: one logfmt line per record on a writable stream (stderr by default).
// Levels as dockerd's --log-level: debug, info, warn, error, fatal.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  fatal(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

interface Sink {
  write(line: string): unknown;
}

function quote(value: string): string {
  return /^[A-Za-z0-9_.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
}

export function formatRecord(
  level: LogLevel,
  msg: string,
  fields: LogFields,
  now = new Date(),
): string {
  let line = `time="${now.toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    line += ` ${key}=${quote(String(value))}`;
  }
  return line + '\n';
}

export function createLogger(
  level: LogLevel = 'info',
  sink: Sink = process.stderr,
  base: LogFields = {},
): Logger {
  const state = { level };
  const make = (bound: LogFields): Logger => {
    const emit = (at: LogLevel, msg: string, fields?: LogFields): void => {
      if (LOG_LEVELS.indexOf(at) < LOG_LEVELS.indexOf(state.level)) return;
      sink.write(formatRecord(at, msg, { ...bound, ...fields }));
    };
    return {
      get level() {
        return state.level;
      },
      set level(next: LogLevel) {
        state.level = next;
      },
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      fatal: (m, f) => emit('fatal', m, f),
      child: (f) => make({ ...bound, ...f }),
    };
  };
  return make(base);
}
