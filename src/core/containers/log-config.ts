// A container's log settings (HostConfig.LogConfig): the driver and its rotation options,
// checked as Docker checks them and merged with the daemon's defaults (--log-driver, --log-opt).

import { ramInBytes } from '../../lib/units.js';
import { invalidArgument } from '../errors.js';

/** LogConfig as the request (or daemon.json) gives it. */
export interface LogConfig {
  readonly type: string;
  readonly config: Readonly<Record<string, string>>;
}

/** What the engine does with a container's output. */
export interface LogSettings {
  /** `none` keeps no log (`docker logs` refuses); the others are read by `docker logs`. */
  readonly driver: 'json-file' | 'local' | 'none';
  /** Rotate when the log reaches this many bytes. */
  readonly maxSize: number;
  /** How many files the log keeps, the one being written included. */
  readonly maxFile: number;
}

/** How a reader of a container's log reads it. */
export interface LogReadOptions {
  /** Keep reading what the container writes until it stops (or the signal aborts). */
  readonly follow: boolean;
  /** Only what is written from now on. */
  readonly fromEnd?: boolean;
  /** attach: until the run after the attach ends (it may attach before the start). */
  readonly untilRunEnds?: boolean;
  /** Awaited once, when a following read has read all there was when it began. */
  readonly onCaughtUp?: () => Promise<void>;
  readonly signal: AbortSignal;
}

const DRIVERS = ['json-file', 'local', 'none'] as const;
type Driver = (typeof DRIVERS)[number];

/** The options each driver knows (the ones berth does not act on are accepted, as Docker does). */
const KNOWN_OPTIONS: Readonly<Record<Driver, readonly string[]>> = {
  'json-file': [
    'max-file',
    'max-size',
    'compress',
    'labels',
    'labels-regex',
    'env',
    'env-regex',
    'tag',
  ],
  local: ['max-file', 'max-size', 'compress'],
  none: [],
};

/**
 * Rotation when nothing says otherwise: Docker's `local` driver defaults (20 MiB, 5 files).
 * Docker's json-file never rotates by default; berth does, so no container fills the disk.
 */
export const DEFAULT_MAX_SIZE = 20 * 1024 * 1024;
export const DEFAULT_MAX_FILE = 5;

const NONE_MAX_SIZE = 1024 * 1024;

/** A size in bytes as `--log-opt max-size` and `--memory` take it: `10m`, `1.5g`, `512k`, `100`. */
export function parseRamSize(text: string): number {
  const bytes = ramInBytes(text);
  if (bytes === undefined) throw invalidArgument(`invalid size: '${text}'`);
  return bytes;
}

function isDriver(type: string): type is Driver {
  return (DRIVERS as readonly string[]).includes(type);
}

/** A container's LogConfig with the daemon's defaults filled in (what inspect shows). */
export function mergeLogConfig(requested: LogConfig | undefined, daemon: LogConfig): LogConfig {
  const type = requested?.type || daemon.type || 'json-file';
  const config =
    type === (daemon.type || 'json-file')
      ? { ...daemon.config, ...(requested?.config ?? {}) }
      : { ...(requested?.config ?? {}) };
  return { type, config };
}

/** Checks a (merged) LogConfig and says what it means; errors are Docker's, as 400s. */
export function logSettings(log: LogConfig): LogSettings {
  const driver = log.type || 'json-file';
  if (!isDriver(driver))
    throw invalidArgument(`logger: no log driver named '${driver}' is registered`);
  for (const key of Object.keys(log.config)) {
    if (!KNOWN_OPTIONS[driver].includes(key))
      throw invalidArgument(`unknown log opt '${key}' for ${driver} log driver`);
  }
  // `none` keeps only what attach needs: the latest output, in one small file.
  let maxSize = driver === 'none' ? NONE_MAX_SIZE : DEFAULT_MAX_SIZE;
  let maxFile = driver === 'none' ? 1 : DEFAULT_MAX_FILE;
  const size = log.config['max-size'];
  if (size !== undefined) {
    maxSize = parseRamSize(size);
    if (maxSize <= 0) throw invalidArgument('max-size must be a positive number');
  }
  const files = log.config['max-file'];
  if (files !== undefined) {
    if (!/^-?\d+$/.test(files))
      throw invalidArgument(`strconv.Atoi: parsing "${files}": invalid syntax`);
    maxFile = Number.parseInt(files, 10);
    if (maxFile < 1) throw invalidArgument('max-file cannot be less than 1');
  }
  return { driver, maxSize, maxFile };
}
