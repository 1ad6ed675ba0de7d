// A command-line flag parser with the grammar of Go's pflag, which the Docker CLI and dockerd
// use: `--name value`, `--name=value`, `-n value`, `-nvalue`, combined short booleans (`-it`),
// booleans that take an optional `=false`, repeatable list flags, and `--` to end flags.

export type FlagType = 'bool' | 'string' | 'list' | 'int';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: FlagType;
  readonly help: string;
  readonly default?: boolean | string | number | readonly string[];
  readonly placeholder?: string;
  readonly hidden?: boolean;
}

export type FlagValue = boolean | string | number | string[];

export interface ParsedFlags {
  /** Value of every flag: the parsed one, else the spec's default. */
  readonly values: ReadonlyMap<string, FlagValue>;
  /** Long names of the flags the user gave explicitly. */
  readonly given: ReadonlySet<string>;
  readonly args: string[];
}

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export interface ParseOptions {
  /** false: the first positional argument ends flag parsing (as for `docker run IMAGE CMD...`). */
  readonly interspersed?: boolean;
}

export function parseBool(text: string): boolean | undefined {
  switch (text) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

function defaultValue(spec: FlagSpec): FlagValue {
  if (spec.default !== undefined) {
    return Array.isArray(spec.default)
      ? [...(spec.default as string[])]
      : (spec.default as FlagValue);
  }
  switch (spec.type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'int':
      return 0;
    case 'list':
      return [];
  }
}

export function parseFlags(
  specs: readonly FlagSpec[],
  argv: readonly string[],
  options: ParseOptions = {},
): ParsedFlags {
  const interspersed = options.interspersed ?? true;
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const values = new Map<string, FlagValue>(specs.map((s) => [s.name, defaultValue(s)]));
  const given = new Set<string>();
  const args: string[] = [];

  const assign = (spec: FlagSpec, raw: string, flagText: string): void => {
    switch (spec.type) {
      case 'bool': {
        const b = parseBool(raw);
        if (b === undefined) {
          throw new FlagError(
            `invalid argument "${raw}" for "${flagText}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`,
          );
        }
        values.set(spec.name, b);
        break;
      }
      case 'int': {
        if (!/^[+-]?\d+$/.test(raw)) {
          throw new FlagError(
            `invalid argument "${raw}" for "${flagText}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`,
          );
        }
        values.set(spec.name, Number.parseInt(raw, 10));
        break;
      }
      case 'string':
        values.set(spec.name, raw);
        break;
      case 'list': {
        const list = given.has(spec.name) ? (values.get(spec.name) as string[]) : [];
        list.push(raw);
        values.set(spec.name, list);
        break;
      }
    }
    given.add(spec.name);
  };

  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    i++;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq !== -1) {
        assign(spec, arg.slice(eq + 1), `--${name}`);
      } else if (spec.type === 'bool') {
        assign(spec, 'true', `--${name}`);
      } else {
        if (i >= argv.length) throw new FlagError(`flag needs an argument: --${name}`);
        assign(spec, argv[i] as string, `--${name}`);
        i++;
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // One or more short flags; the first that takes a value consumes the rest of the word
      // (or, if nothing is left, the next word).
      let j = 1;
      while (j < arg.length) {
        const letter = arg[j] as string;
        const spec = byShort.get(letter);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${letter}' in ${arg}`);
        const flagText = `-${letter}, --${spec.name}`;
        const rest = arg.slice(j + 1);
        if (spec.type === 'bool') {
          if (rest.startsWith('=')) {
            assign(spec, rest.slice(1), flagText);
            break;
          }
          assign(spec, 'true', flagText);
          j++;
          continue;
        }
        if (rest.length > 0) {
          assign(spec, rest.startsWith('=') ? rest.slice(1) : rest, flagText);
        } else {
          if (i >= argv.length)
            throw new FlagError(`flag needs an argument: '${letter}' in -${letter}`);
          assign(spec, argv[i] as string, flagText);
          i++;
        }
        break;
      }
      continue;
    }
    if (!interspersed) {
      args.push(arg, ...argv.slice(i));
      break;
    }
    args.push(arg);
  }
  return { values, given, args };
}

/** Typed accessors, so callers do not cast. */
export function flagString(flags: ParsedFlags, name: string): string {
  const v = flags.values.get(name);
  if (typeof v !== 'string') throw new Error(`flag ${name} is not a string flag`);
  return v;
}

export function flagBool(flags: ParsedFlags, name: string): boolean {
  const v = flags.values.get(name);
  if (typeof v !== 'boolean') throw new Error(`flag ${name} is not a bool flag`);
  return v;
}

export function flagInt(flags: ParsedFlags, name: string): number {
  const v = flags.values.get(name);
  if (typeof v !== 'number') throw new Error(`flag ${name} is not an int flag`);
  return v;
}

export function flagList(flags: ParsedFlags, name: string): string[] {
  const v = flags.values.get(name);
  if (!Array.isArray(v)) throw new Error(`flag ${name} is not a list flag`);
  return v;
}

/** Usage lines in the style of Cobra's flag listing. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const value =
        s.type === 'bool' ? '' : ` ${s.placeholder ?? (s.type === 'list' ? 'list' : s.type)}`;
      const left = s.short ? `  -${s.short}, --${s.name}${value}` : `      --${s.name}${value}`;
      const def =
        s.default !== undefined &&
        s.default !== '' &&
        s.default !== false &&
        !(Array.isArray(s.default) && s.default.length === 0)
          ? ` (default ${Array.isArray(s.default) ? `[${s.default.join(',')}]` : JSON.stringify(s.default)})`
          : '';
      return [left, `${s.help}${def}`] as const;
    });
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 3;
  return rows.map(([l, r]) => l.padEnd(width) + r).join('\n');
}
