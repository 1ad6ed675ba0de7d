// `--mount` values (`type=volume,src=v,dst=/d,readonly`) as the Docker CLI turns them into
// HostConfig.Mounts objects, keys in its order, with its error messages.

import { FlagError } from '../lib/flags.js';

type Json = Record<string, unknown>;

function boolValue(key: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  const lower = value.toLowerCase();
  if (['1', 't', 'true'].includes(lower)) return true;
  if (['0', 'f', 'false'].includes(lower)) return false;
  throw new FlagError(`invalid value for ${key}: ${value}`);
}

function sizeInBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  if (!m) throw new FlagError(`invalid value for tmpfs-size: ${value}`);
  const power = 'bkmgtp'.indexOf((m[2] ?? 'b').toLowerCase());
  return Math.trunc(Number.parseFloat(m[1] as string) * 1024 ** power);
}

/** One `--mount` value as the Mounts object the Docker CLI sends. */
export function parseMountFlag(value: string): Json {
  const fields = value.split(',').filter((f) => f !== '');
  let type = 'volume';
  let source = '';
  let target = '';
  let readOnly = false;
  let consistency = '';
  const bind: Json = {};
  const volume: Json = {};
  const labels: Record<string, string> = {};
  const driverOptions: Record<string, string> = {};
  let driverName = '';
  const tmpfs: Json = {};
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq === -1 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq === -1 ? undefined : field.slice(eq + 1);
    if (
      val === undefined &&
      !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive'].includes(key)
    )
      throw new FlagError(`invalid field '${field}' must be a key=value pair`);
    const pair = (): [string, string] => {
      const text = val ?? '';
      const at = text.indexOf('=');
      return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
    };
    switch (key) {
      case 'type':
        type = val ?? '';
        break;
      case 'source':
      case 'src':
        source = val ?? '';
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val ?? '';
        break;
      case 'readonly':
      case 'ro':
        readOnly = boolValue(key, val);
        break;
      case 'consistency':
        consistency = val ?? '';
        break;
      case 'bind-propagation':
        bind['Propagation'] = val;
        break;
      case 'bind-nonrecursive':
        bind['NonRecursive'] = boolValue(key, val);
        break;
      case 'volume-nocopy':
        volume['NoCopy'] = boolValue(key, val);
        break;
      case 'volume-label': {
        const [k, v] = pair();
        labels[k] = v;
        break;
      }
      case 'volume-driver':
        driverName = val ?? '';
        break;
      case 'volume-opt': {
        const [k, v] = pair();
        driverOptions[k] = v;
        break;
      }
      case 'tmpfs-size':
        tmpfs['SizeBytes'] = sizeInBytes(val ?? '');
        break;
      case 'tmpfs-mode': {
        const mode = Number.parseInt(val ?? '', 8);
        if (!/^[0-7]+$/.test(val ?? '')) throw new FlagError(`invalid value for ${key}: ${val}`);
        tmpfs['Mode'] = mode;
        break;
      }
      default:
        throw new FlagError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (type === '') throw new FlagError('type is required');
  if (target === '') throw new FlagError('target is required');
  if (Object.keys(labels).length > 0) volume['Labels'] = labels;
  if (driverName !== '' || Object.keys(driverOptions).length > 0)
    volume['DriverConfig'] = {
      Name: driverName,
      ...(Object.keys(driverOptions).length > 0 ? { Options: driverOptions } : {}),
    };
  const hasBind = Object.keys(bind).length > 0;
  const hasVolume = Object.keys(volume).length > 0;
  const hasTmpfs = Object.keys(tmpfs).length > 0;
  if (hasBind && type !== 'bind')
    throw new FlagError(`cannot mix 'bind-*' options with mount type '${type}'`);
  if (hasVolume && type !== 'volume')
    throw new FlagError(`cannot mix 'volume-*' options with mount type '${type}'`);
  if (hasTmpfs && type !== 'tmpfs')
    throw new FlagError(`cannot mix 'tmpfs-*' options with mount type '${type}'`);
  return {
    Type: type,
    ...(source !== '' ? { Source: source } : {}),
    Target: target,
    ...(readOnly ? { ReadOnly: true } : {}),
    ...(consistency !== '' ? { Consistency: consistency } : {}),
    ...(hasBind ? { BindOptions: bind } : {}),
    ...(hasVolume ? { VolumeOptions: volume } : {}),
    ...(hasTmpfs ? { TmpfsOptions: tmpfs } : {}),
  };
}

/**
 * `-v` values split as the Docker CLI splits them: those with a source are Binds (a relative
 * `./src` made absolute), the rest anonymous volumes (Config.Volumes).
 */
export function splitVolumeFlags(
  values: readonly string[],
  cwd: string,
): { binds: string[]; volumes: string[] } {
  const binds: string[] = [];
  const volumes: string[] = [];
  for (const v of values) {
    const colon = v.indexOf(':');
    if (colon <= 0) {
      volumes.push(v);
      continue;
    }
    const source = v.slice(0, colon);
    binds.push(source.startsWith('.') ? `${absolute(cwd, source)}${v.slice(colon)}` : v);
  }
  return { binds, volumes };
}

function absolute(cwd: string, path: string): string {
  const parts: string[] = [];
  for (const p of `${cwd}/${path}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}
