import { readFileSync } from 'node:fs';
import { hasErrno } from '../../core/errors.js';
import type { FlagValue, ParsedFlags } from '../../lib/flags.js';
import { DAEMON_OPTIONS, DEFAULT_CONFIG_FILE, type DaemonOption } from './options.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type SettingValue = FlagValue | Readonly<Record<string, string>>;

/** Every option's value, flags and daemon.json merged, keyed by flag name. */
export interface MergedSettings {
  readonly configFile: string;
  readonly values: ReadonlyMap<string, SettingValue>;
  /** Flag names set explicitly by a flag or by the file. */
  readonly given: ReadonlySet<string>;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(' ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `map[${Object.entries(value)
      .map(([k, v]) => `${k}:${String(v)}`)
      .join(' ')}]`;
  }
  return String(value);
}

function kvList(list: readonly string[], flagName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new ConfigError(`invalid value "${item}" for --${flagName}: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Converts a daemon.json value to the option's type, or says which key is wrong. */
function fromJson(option: DaemonOption, key: string, value: unknown): SettingValue {
  const wrong = (expected: string): ConfigError =>
    new ConfigError(
      `invalid value for "${key}": expected ${expected}, got ${JSON.stringify(value)}`,
    );
  switch (option.jsonKind) {
    case 'bool':
      if (typeof value !== 'boolean') throw wrong('a boolean');
      return value;
    case 'string':
      if (typeof value !== 'string') throw wrong('a string');
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong('an integer');
      return value;
    case 'list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw wrong('an array of strings');
      return [...(value as string[])];
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw wrong('an object');
      for (const v of Object.values(value))
        if (typeof v !== 'string') throw wrong('an object of strings');
      return { ...(value as Record<string, string>) };
  }
}

export function readConfigFile(path: string, required: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!required && hasErrno(err, 'ENOENT')) return {};
    throw new ConfigError(`open ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Merges command-line flags with daemon.json, as dockerd does: a key given both ways is an
 * error naming it; a key that is no option is an error naming it.
 */
export function mergeSettings(flags: ParsedFlags): MergedSettings {
  const configFile = (flags.values.get('config-file') as string | undefined) ?? DEFAULT_CONFIG_FILE;
  const file = readConfigFile(configFile, flags.given.has('config-file'));
  const fail = (detail: string): never => {
    throw new ConfigError(
      `unable to configure the berth daemon with file ${configFile}: ${detail}`,
    );
  };

  const byKey = new Map(
    DAEMON_OPTIONS.filter((o) => o.jsonKey).map((o) => [o.jsonKey as string, o]),
  );
  const unknown = Object.keys(file).filter((k) => !byKey.has(k));
  if (unknown.length > 0) {
    fail(
      `the following directives don't match any configuration option: ${unknown.sort().join(', ')}`,
    );
  }

  const values = new Map<string, SettingValue>();
  const given = new Set<string>();
  const conflicts: string[] = [];
  for (const option of DAEMON_OPTIONS) {
    const name = option.flag.name;
    const flagValue = flags.values.get(name) as FlagValue;
    const inFile = option.jsonKey !== undefined && Object.hasOwn(file, option.jsonKey);
    if (inFile && flags.given.has(name)) {
      conflicts.push(
        `${option.jsonKey}: (from flag: ${describe(flagValue)}, from file: ${describe(file[option.jsonKey as string])})`,
      );
      continue;
    }
    let value: SettingValue = flagValue;
    if (inFile) {
      try {
        value = fromJson(option, option.jsonKey as string, file[option.jsonKey as string]);
      } catch (err) {
        fail((err as Error).message);
      }
    }
    if (option.jsonKind === 'map' && Array.isArray(value)) value = kvList(value, name);
    values.set(name, value);
    if (inFile || flags.given.has(name)) given.add(name);
  }
  if (conflicts.length > 0) {
    fail(
      `the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`,
    );
  }
  return { configFile, values, given };
}

/** The daemon.json keys that SIGHUP re-reads, with their new values. */
export function reloadableSettings(configFile: string): Map<string, SettingValue> {
  const file = readConfigFile(configFile, false);
  const out = new Map<string, SettingValue>();
  for (const option of DAEMON_OPTIONS) {
    if (!option.reloadable || option.jsonKey === undefined) continue;
    if (!Object.hasOwn(file, option.jsonKey)) continue;
    out.set(option.flag.name, fromJson(option, option.jsonKey, file[option.jsonKey]));
  }
  const unknown = Object.keys(file).filter((k) => !DAEMON_OPTIONS.some((o) => o.jsonKey === k));
  if (unknown.length > 0) {
    throw new ConfigError(
      `the following directives don't match any configuration option: ${unknown.sort().join(', ')}`,
    );
  }
  return out;
}
