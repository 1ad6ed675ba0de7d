// Image references in the grammar of the distribution/reference package the Docker tools use:
// [domain[:port]/]path[:tag][@digest], normalised so that `busybox` is
// `docker.io/library/busybox:latest`.

import { invalidArgument } from '../errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const OFFICIAL_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;
const NAME_MAX = 255;

export interface Reference {
  /** Registry host, with port: `docker.io`, `127.0.0.1:5000`. */
  readonly domain: string;
  /** Repository path inside the registry: `library/busybox`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** A tag as references allow it: `[\w][\w.-]{0,127}`. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export function isFullImageId(text: string): boolean {
  return /^(sha256:)?[0-9a-f]{64}$/.test(text);
}

function invalid(detail?: string): never {
  throw invalidArgument(
    detail ? `invalid reference format: ${detail}` : 'invalid reference format',
  );
}

function validDomain(domain: string): boolean {
  if (/^\[[0-9a-fA-F:.]+\](?::\d+)?$/.test(domain)) return true;
  const colon = domain.lastIndexOf(':');
  const host = colon === -1 ? domain : domain.slice(0, colon);
  if (colon !== -1 && !/^\d+$/.test(domain.slice(colon + 1))) return false;
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/**
 * Parses and normalises a reference. Without a tag or digest, `defaultTag` (latest) is used
 * unless it is undefined. A 64-hex string is refused (it is an image ID, not a name).
 */
export function parseReference(
  text: string,
  options: { defaultTag?: string | null } = {},
): Reference {
  if (text === '' || text !== text.trim()) invalid();
  if (isFullImageId(text) && !text.includes(':')) {
    invalid('repository name must not be a 64-byte hexadecimal string');
  }
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) invalid();
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) invalid();
  }
  const slash = rest.indexOf('/');
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    const looksLikeDomain =
      /[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first;
    if (looksLikeDomain) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (!validDomain(domain)) invalid();
  if (
    path !== path.toLowerCase() &&
    path.split('/').every((c) => PATH_COMPONENT.test(c.toLowerCase()))
  ) {
    const shown = domain === DEFAULT_DOMAIN && !path.includes('/') ? OFFICIAL_PREFIX + path : path;
    invalid(`repository name (${shown}) must be lowercase`);
  }
  if (path === '' || !path.split('/').every((c) => PATH_COMPONENT.test(c))) invalid();
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_PREFIX + path;
  if (`${domain}/${path}`.length > NAME_MAX)
    invalid(`repository name must not be more than ${NAME_MAX} characters`);
  const defaultTag = options.defaultTag === undefined ? DEFAULT_TAG : options.defaultTag;
  if (tag === undefined && digest === undefined && defaultTag !== null) tag = defaultTag;
  return { domain, path, tag, digest };
}

/** `docker.io/library/busybox` */
export function repositoryName(ref: Pick<Reference, 'domain' | 'path'>): string {
  return `${ref.domain}/${ref.path}`;
}

/** The normalised full string: `docker.io/library/busybox:latest`, `host:5000/a@sha256:…`. */
export function formatReference(ref: Reference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form users see: `busybox:latest`, `me/app:1`, `127.0.0.1:5000/app:1`. */
export function familiarRepository(ref: Pick<Reference, 'domain' | 'path'>): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  return ref.path.startsWith(OFFICIAL_PREFIX) ? ref.path.slice(OFFICIAL_PREFIX.length) : ref.path;
}

export function familiarString(ref: Reference): string {
  return `${familiarRepository(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
