// `GET /images/search`: a registry's v1 search API where it has one, else its v2 catalog
// filtered by the term. A term may name the registry (`127.0.0.1:5000/app`); without a host it
// searches Docker Hub's index.

import { checkFilterKeys, type FilterArgs } from '../../core/filters.js';
import { invalidArgument } from '../../core/errors.js';
import { DEFAULT_DOMAIN } from '../../core/images/reference.js';
import type { Credentials } from '../../core/registry/auth-config.js';
import { DOCKER_HUB_INDEX, type RegistrySettings } from '../../core/registry/endpoints.js';
import { connectRegistry, registryError } from './registry-access.js';

export interface SearchResult {
  readonly name: string;
  readonly description: string;
  readonly starCount: number;
  readonly isOfficial: boolean;
  readonly isAutomated: boolean;
}

export interface SearchRequest {
  readonly term: string;
  readonly limit?: number;
  readonly filters: FilterArgs;
  readonly credentials: Credentials;
  readonly signal?: AbortSignal;
}

const DEFAULT_LIMIT = 25;
/** How many catalog entries are read to filter by term. */
const CATALOG_MAX = 10_000;

/** `host:5000/name` → the host and the term to send it; else Docker Hub and the term. */
export function splitSearchTerm(term: string): { domain: string; query: string } {
  const slash = term.indexOf('/');
  if (slash !== -1) {
    const first = term.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost') {
      return {
        domain: first === 'index.docker.io' ? DEFAULT_DOMAIN : first,
        query: term.slice(slash + 1),
      };
    }
  }
  return { domain: DEFAULT_DOMAIN, query: term };
}

function boolFilter(filters: FilterArgs, key: string): boolean | undefined {
  const v = filters.get(key)?.[0];
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArgument(`invalid filter '${key}=${v}'`);
}

function toResult(raw: unknown): SearchResult | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r['name'] !== 'string') return undefined;
  return {
    name: r['name'],
    description: typeof r['description'] === 'string' ? r['description'] : '',
    starCount: typeof r['star_count'] === 'number' ? r['star_count'] : 0,
    isOfficial: r['is_official'] === true,
    isAutomated: r['is_automated'] === true,
  };
}

export async function searchImages(
  settings: RegistrySettings,
  request: SearchRequest,
): Promise<SearchResult[]> {
  const limit = request.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw invalidArgument(`limit ${limit} is outside the range of [1, 100]`);
  checkFilterKeys(request.filters, ['stars', 'is-automated', 'is-official']);
  const starsText = request.filters.get('stars')?.[0];
  const stars = starsText === undefined ? 0 : Number(starsText);
  if (!Number.isInteger(stars)) throw invalidArgument(`invalid filter 'stars=${starsText}'`);
  const official = boolFilter(request.filters, 'is-official');
  const automated = boolFilter(request.filters, 'is-automated');
  if (request.term.trim() === '') throw invalidArgument('search term must not be empty');
  const { domain, query } = splitSearchTerm(request.term);
  let results: SearchResult[];
  try {
    const client = await connectRegistry(
      domain === DEFAULT_DOMAIN ? { ...settings, mirrors: [] } : settings,
      domain,
      request.credentials,
      { push: true, signal: request.signal },
    );
    const v1 =
      domain === DEFAULT_DOMAIN
        ? await client.searchV1Url(`${DOCKER_HUB_INDEX}/v1/search`, query, limit)
        : await client.searchV1(query, limit);
    if (v1 !== undefined) {
      results = v1.map(toResult).filter((r): r is SearchResult => r !== undefined);
    } else {
      const needle = query.toLowerCase();
      results = (await client.catalog(CATALOG_MAX))
        .filter((name) => name.toLowerCase().includes(needle))
        .map((name) => ({
          name: `${domain}/${name}`,
          description: '',
          starCount: 0,
          isOfficial: false,
          isAutomated: false,
        }));
    }
  } catch (err) {
    throw registryError(err);
  }
  return results
    .filter(
      (r) =>
        r.starCount >= stars &&
        (official === undefined || r.isOfficial === official) &&
        (automated === undefined || r.isAutomated === automated),
    )
    .slice(0, limit);
}
