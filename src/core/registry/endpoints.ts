// Where a registry is reached: which URLs, in which order, with which TLS settings. Docker's
// rules: localhost and 127.0.0.0/8 are insecure (TLS without verification, then plain HTTP);
// so are hosts and CIDRs given with --insecure-registry; docker.io goes to its mirrors first
// (pulls only); `<certsDir>/<host:port>/` holds a CA (`*.crt`) and a client pair
// (`*.cert` + `*.key`).

import { readdir, readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
import { hasErrno, invalidArgument } from '../errors.js';
import { DEFAULT_DOMAIN } from '../images/reference.js';
import type { TlsOptions } from './http-request.js';

export const DOCKER_HUB_REGISTRY = 'https://registry-1.docker.io';
export const DOCKER_HUB_INDEX = 'https://index.docker.io';

export interface RegistrySettings {
  readonly mirrors: readonly string[];
  readonly insecure: readonly string[];
  readonly certsDir: string;
  /** Only loopback registries may be contacted (test daemons: never Docker Hub). */
  readonly loopbackOnly?: boolean;
}

/** True for a `host[:port]` on 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostOnly(hostPort);
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export interface Endpoint {
  /** `http://127.0.0.1:5000` (no trailing slash). */
  readonly base: string;
  readonly tls: TlsOptions;
  readonly mirror: boolean;
}

function hostOnly(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const colon = domain.lastIndexOf(':');
  return colon === -1 ? domain : domain.slice(0, colon);
}

/** True when the registry at `domain` may be reached without verified TLS. */
export function isInsecureRegistry(domain: string, insecure: readonly string[]): boolean {
  const host = hostOnly(domain);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  const blocks = new BlockList();
  blocks.addSubnet('127.0.0.0', 8, 'ipv4');
  blocks.addAddress('::1', 'ipv6');
  for (const entry of insecure) {
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1] as string) !== 0) {
      const v = isIP(cidr[1] as string) === 4 ? 'ipv4' : 'ipv6';
      blocks.addSubnet(cidr[1] as string, Number(cidr[2]), v);
    } else if (entry.replace(/^https?:\/\//, '').replace(/\/$/, '') === domain) {
      return true;
    }
  }
  return family !== 0 && blocks.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Checks a `--registry-mirror` value: an http(s) URL without a path, as Docker wants it. */
export function normaliseMirror(text: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1] ?? '';
  if (scheme !== 'http' && scheme !== 'https')
    throw invalidArgument(`invalid mirror: unsupported scheme "${scheme}" in "${text}"`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidArgument(`invalid mirror: "${text}" is not a valid URI`);
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '')
    throw invalidArgument(`invalid mirror: path, query, or fragment at end of the URI "${text}"`);
  return `${url.protocol}//${url.host}`;
}

/** CA certificates and a client certificate for one registry host, from the certs dir. */
export async function tlsFiles(certsDir: string, domain: string): Promise<TlsOptions> {
  const dir = join(certsDir, domain.replace(/^\[|\]$/g, ''));
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return {};
    throw err;
  }
  const ca: string[] = [];
  let cert: string | undefined;
  let key: string | undefined;
  for (const name of names) {
    if (name.endsWith('.crt')) ca.push(await readFile(join(dir, name), 'utf8'));
    else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(keyName))
        throw invalidArgument(`missing key ${keyName} for client certificate ${name}`);
      cert = await readFile(join(dir, name), 'utf8');
      key = await readFile(join(dir, keyName), 'utf8');
    }
  }
  return { ...(ca.length > 0 ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}

/** The endpoints to try, in order, for the registry `domain`. */
export async function endpointsFor(
  domain: string,
  settings: RegistrySettings,
  options: { push?: boolean } = {},
): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  if (domain === DEFAULT_DOMAIN) {
    if (!options.push) {
      for (const m of settings.mirrors) {
        const base = normaliseMirror(m);
        const host = new URL(base).host;
        out.push({
          base,
          mirror: true,
          tls: {
            ...(await tlsFiles(settings.certsDir, host)),
            insecure: isInsecureRegistry(host, settings.insecure),
          },
        });
      }
    }
    out.push({
      base: DOCKER_HUB_REGISTRY,
      mirror: false,
      tls: await tlsFiles(settings.certsDir, DEFAULT_DOMAIN),
    });
    return out;
  }
  const tls = await tlsFiles(settings.certsDir, domain);
  if (isInsecureRegistry(domain, settings.insecure)) {
    out.push({ base: `https://${domain}`, mirror: false, tls: { ...tls, insecure: true } });
    out.push({ base: `http://${domain}`, mirror: false, tls: {} });
  } else {
    out.push({ base: `https://${domain}`, mirror: false, tls });
  }
  return out;
}
