import { stringifyJson } from '../../lib/json.js';

// A subset of Go's text/template, enough for the --format flags users pass to Docker:
// literal text, {{.Field.Path}}, {{json .Path}}, {{json .}}, {{upper ...}}, {{lower ...}},
// {{title ...}}, {{len .Path}}, {{index .Path key...}} (numbers or "quoted" keys),
// {{join .Path "sep"}}, and the escapes \t and \n in the format string.

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Part =
  | { kind: 'text'; text: string }
  | {
      kind: 'action';
      fn?: string;
      path: string[];
      /** index's keys, join's separator. */
      args?: (string | number)[];
      /** Where the field reference starts in the source (Go's error column), and its text. */
      at?: { pos: number; text: string };
    };

export interface RenderOptions {
  /** 'error': a field the data lacks fails, as `docker inspect` templates do ('<no value>' else). */
  readonly missingKey?: 'error';
}

function parsePath(text: string, source: string): string[] {
  if (text === '.') return [];
  if (!/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(text)) {
    throw new TemplateError(
      `template parsing error: template: :1: bad field reference "${text}" in ${source}`,
    );
  }
  return text.slice(1).split('.');
}

export function parseTemplate(source: string): Part[] {
  const parts: Part[] = [];
  const re = /\{\{-?\s*(.*?)\s*-?\}\}/g;
  let last = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (m.index > last) parts.push({ kind: 'text', text: source.slice(last, m.index) });
    last = re.lastIndex;
    const words = tokens(m[1] ?? '');
    const fn = words[0] as string;
    if (words.length === 1) {
      const ref = fn;
      const at = { pos: m.index + m[0].indexOf(ref, 2), text: ref };
      parts.push({ kind: 'action', path: parsePath(ref, source), at });
      continue;
    }
    const ref = words[1] ?? '';
    const at = { pos: m.index + m[0].indexOf(ref, 2), text: ref };
    const args = words.slice(2).map(argument);
    const arity: Record<string, (n: number) => boolean> = {
      json: (n) => n === 0,
      upper: (n) => n === 0,
      lower: (n) => n === 0,
      title: (n) => n === 0,
      len: (n) => n === 0,
      join: (n) => n === 1 && typeof args[0] === 'string',
      index: (n) => n >= 1 && !args.includes(Number.NaN),
    };
    if (!arity[fn]?.(args.length))
      throw new TemplateError(`template parsing error: unsupported action {{${m[1]}}}`);
    parts.push({
      kind: 'action',
      fn,
      path: parsePath(ref, source),
      at,
      ...(args.length > 0 ? { args } : {}),
    });
  }
  if (last < source.length) {
    const text = source.slice(last);
    if (text.includes('{{'))
      throw new TemplateError('template parsing error: template: :1: unclosed action');
    parts.push({ kind: 'text', text });
  }
  return parts;
}

/** An action's words: "quoted" strings (Go escapes) and runs of non-space characters. */
function tokens(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

/** An argument: a "quoted" string, or an integer (NaN for anything else). */
function argument(word: string): string | number {
  if (word.startsWith('"')) {
    try {
      return JSON.parse(word) as string;
    } catch {
      throw new TemplateError(`template parsing error: bad string ${word}`);
    }
  }
  return /^-?\d+$/.test(word) ? Number(word) : Number.NaN;
}

function lookup(
  data: unknown,
  path: string[],
  at: { pos: number; text: string } | undefined,
  options: RenderOptions,
): unknown {
  let value = data;
  let column = at?.pos ?? 0;
  for (const key of path) {
    if (value === null || typeof value !== 'object') {
      throw new TemplateError(`template: :1: can't evaluate field ${key}`);
    }
    if (options.missingKey === 'error' && !Object.hasOwn(value, key)) {
      throw new TemplateError(
        `template parsing error: template: :1:${column}: executing "" at <${at?.text ?? ''}>: map has no entry for key "${key}"`,
      );
    }
    value = (value as Record<string, unknown>)[key];
    column += key.length + 1;
  }
  return value;
}

function lengthOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  throw new TemplateError(`template: :1: len of ${value === undefined ? 'nil' : typeof value}`);
}

/** Go's index: a list by position (in range), a map by key (missing: no value). */
function indexed(value: unknown, keys: readonly (string | number)[]): unknown {
  let v = value;
  for (const key of keys) {
    if (Array.isArray(v) && typeof key === 'number') {
      if (key < 0 || key >= v.length)
        throw new TemplateError(`template: :1: error calling index: index out of range: ${key}`);
      v = v[key];
    } else if (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof key === 'string'
    ) {
      v = (v as Record<string, unknown>)[key];
    } else if (v === undefined || v === null) {
      return undefined;
    } else {
      throw new TemplateError(
        `template: :1: error calling index: cannot index with ${JSON.stringify(key)}`,
      );
    }
  }
  return v;
}

/** Prints a value as Go's fmt does for the common cases. */
function goString(value: unknown): string {
  if (value === undefined || value === null) return '<no value>';
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (typeof value === 'object') {
    return `map[${Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}:${goString(v)}`)
      .join(' ')}]`;
  }
  return String(value);
}

export function renderTemplate(source: string, data: unknown, options: RenderOptions = {}): string {
  const parts = parseTemplate(source.replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const value = lookup(data, part.path, part.at, options);
    switch (part.fn) {
      case 'json':
        out += stringifyJson(value ?? null);
        break;
      case 'upper':
        out += goString(value).toUpperCase();
        break;
      case 'lower':
        out += goString(value).toLowerCase();
        break;
      case 'title':
        out += goString(value).replace(/\b\w/g, (c) => c.toUpperCase());
        break;
      case 'len':
        out += String(lengthOf(value));
        break;
      case 'join':
        if (!Array.isArray(value)) throw new TemplateError('template: :1: join of a non-list');
        out += value.map(goString).join(part.args?.[0] as string);
        break;
      case 'index':
        out += goString(indexed(value, part.args ?? []));
        break;
      default:
        out += goString(value);
    }
  }
  return out;
}
