// The Dockerfile instructions `import --change` and `commit --change` accept, applied to an
// image's container defaults.

import { invalidArgument } from '../errors.js';
import type { ContainerDefaults } from './image-config.js';

const SUPPORTED = [
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'LABEL',
  'ONBUILD',
  'USER',
  'VOLUME',
  'WORKDIR',
  'STOPSIGNAL',
];

/** Exec form (a JSON array of strings) or shell form (wrapped in /bin/sh -c). */
function commandForm(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string'))
        return parsed as string[];
    } catch {
      // not JSON: Docker then takes the text as shell form
    }
  }
  return ['/bin/sh', '-c', trimmed];
}

/** `k=v k2="v 2"` pairs, or the legacy `k v` form with a single pair. */
function keyValues(text: string, instruction: string): [string, string][] {
  const trimmed = text.trim();
  if (!/^[^\s=]+=/.test(trimmed)) {
    const m = /^(\S+)\s+(.*)$/s.exec(trimmed);
    if (!m) throw invalidArgument(`${instruction} requires at least one argument`);
    return [[m[1] as string, (m[2] as string).trim()]];
  }
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)\s*/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(trimmed)) !== null && m[0] !== '') {
    let value = m[2] as string;
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (value.startsWith("'")) value = value.slice(1, -1);
    out.push([m[1] as string, value]);
    consumed = re.lastIndex;
  }
  if (consumed !== trimmed.length)
    throw invalidArgument(`${instruction}: cannot parse "${trimmed}"`);
  return out;
}

/** Applies each `--change` line to a copy of `defaults`. */
export function applyChanges(
  defaults: ContainerDefaults,
  changes: readonly string[],
): ContainerDefaults {
  const out: ContainerDefaults = structuredClone(defaults);
  for (const line of changes) {
    const m = /^\s*(\S+)\s*(.*)$/s.exec(line);
    if (!m) continue;
    const instruction = (m[1] as string).toUpperCase();
    const args = m[2] as string;
    if (!SUPPORTED.includes(instruction)) {
      // Docker names the instruction as its parser keeps it: lowercase.
      throw invalidArgument(`${instruction.toLowerCase()} is not a valid change command`);
    }
    switch (instruction) {
      case 'CMD':
        out.Cmd = commandForm(args);
        break;
      case 'ENTRYPOINT':
        out.Entrypoint = commandForm(args);
        break;
      case 'ENV': {
        const env = [...(out.Env ?? [])];
        for (const [k, v] of keyValues(args, 'ENV')) {
          const i = env.findIndex((e) => e.split('=', 1)[0] === k);
          if (i === -1) env.push(`${k}=${v}`);
          else env[i] = `${k}=${v}`;
        }
        out.Env = env;
        break;
      }
      case 'LABEL':
        out.Labels = { ...(out.Labels ?? {}), ...Object.fromEntries(keyValues(args, 'LABEL')) };
        break;
      case 'EXPOSE': {
        const ports = { ...(out.ExposedPorts ?? {}) };
        for (const p of args.trim().split(/\s+/).filter(Boolean)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p))
            throw invalidArgument(`invalid containerPort: ${p}`);
          ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
        }
        out.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const volumes = { ...(out.Volumes ?? {}) };
        const list = args.trim().startsWith('[') ? commandForm(args) : args.trim().split(/\s+/);
        for (const v of list.filter(Boolean)) volumes[v] = {};
        out.Volumes = volumes;
        break;
      }
      case 'WORKDIR':
        out.WorkingDir = args.trim();
        break;
      case 'USER':
        out.User = args.trim();
        break;
      case 'STOPSIGNAL':
        out.StopSignal = args.trim();
        break;
      case 'ONBUILD':
        out.OnBuild = [...(out.OnBuild ?? []), args.trim()];
        break;
    }
  }
  return out;
}
