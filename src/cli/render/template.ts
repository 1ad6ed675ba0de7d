import { stringifyJson } from '../../lib/json.js';

// A subset of Go's text/template, enough for the --format flags users pass to Docker:
// literal text, {{.Field.Path}}, {{json .Path}}, {{json .}}, {{upper ...}}, {{lower ...}}, and
// the escapes \t and \n in the format string.

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Part =
  | { kind: 'text'; text: string }
  | {
      kind: 'action';
      fn?: string;
      path: string[];
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
    const words = (m[1] ?? '').split(/\s+/).filter(Boolean);
    const ref = words[words.length - 1] ?? '';
    const at = { pos: m.index + m[0].indexOf(ref, 2), text: ref };
    if (words.length === 1) {
      parts.push({ kind: 'action', path: parsePath(ref, source), at });
    } else if (
      words.length === 2 &&
      ['json', 'upper', 'lower', 'title'].includes(words[0] as string)
    ) {
      parts.push({ kind: 'action', fn: words[0], path: parsePath(ref, source), at });
    } else {
      throw new TemplateError(`template parsing error: unsupported action {{${m[1]}}}`);
    }
  }
  if (last < source.length) {
    const text = source.slice(last);
    if (text.includes('{{'))
      throw new TemplateError('template parsing error: template: :1: unclosed action');
    parts.push({ kind: 'text', text });
  }
  return parts;
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
      default:
        out += goString(value);
    }
  }
  return out;
}
