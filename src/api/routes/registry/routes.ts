import { invalidArgument } from '../../../core/errors.js';
import { credentialsFromJson, decodeRegistryAuth } from '../../../core/registry/auth-config.js';
import type { AuthResponse, ImageSearchResponseItem } from '../../../types/docker/images.js';
import { parseFiltersParam } from '../../filters.js';
import { readJsonBody, sendJson } from '../../http.js';
import type { Route } from '../../route.js';
import type { RegistryBackend } from './backend.js';

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function registryRoutes(registry: RegistryBackend): Route[] {
  return [
    {
      methods: ['POST'],
      path: '/auth',
      job: 'auth',
      handle: async ({ req, res, job }) => {
        const body = await readJsonBody(req);
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw invalidArgument('the request body must be a JSON object of credentials');
        const result = await registry.login(credentialsFromJson(body), job.signal);
        const answer: AuthResponse = {
          IdentityToken: result.identityToken,
          Status: result.status,
        };
        sendJson(res, 200, answer);
      },
    },
    {
      methods: ['GET'],
      path: '/images/search',
      job: 'images.search',
      handle: async ({ req, res, query, job }) => {
        const limitText = query.get('limit');
        let limit: number | undefined;
        if (limitText !== null && limitText !== '') {
          limit = Number(limitText);
          if (!/^-?\d+$/.test(limitText))
            throw invalidArgument(`invalid limit ${JSON.stringify(limitText)}: not a number`);
        }
        const hits = await registry.search({
          term: query.get('term') ?? '',
          limit,
          filters: parseFiltersParam(query.get('filters')),
          credentials: decodeRegistryAuth(header(req.headers['x-registry-auth'])),
          signal: job.signal,
        });
        const body: ImageSearchResponseItem[] = hits.map((h) => ({
          star_count: h.starCount,
          is_official: h.isOfficial,
          name: h.name,
          is_automated: h.isAutomated,
          description: h.description,
        }));
        sendJson(res, 200, body);
      },
    },
  ];
}
