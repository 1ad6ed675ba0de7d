import { invalidArgument } from '../../../core/errors.js';
import type { NetworkRecord } from '../../../core/network/network.js';
import type {
  NetworkCreateResponse,
  NetworkResource,
  NetworksPruneResponse,
} from '../../../types/docker/networks.js';
import { asObject, optBool, optString, optStringMap, optStrings } from '../../decode.js';
import { parseFiltersParam } from '../../filters.js';
import { readJsonBody, sendJson, sendNoContent } from '../../http.js';
import type { Route } from '../../route.js';
import type { NetworkCreateRequest, NetworkView } from '../../../core/network/network.js';
import type { NetworksBackend } from './backend.js';

export function toNetworkResource(
  n: NetworkRecord,
  containers: NetworkView['containers'] = [],
): NetworkResource {
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: n.isDefault ? null : {},
      Config: n.subnet
        ? [
            {
              Subnet: n.subnet,
              ...(n.ipRange ? { IPRange: n.ipRange } : {}),
              ...(n.gateway ? { Gateway: n.gateway } : {}),
            },
          ]
        : [],
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      containers.map((c) => [
        c.id,
        {
          Name: c.name,
          EndpointID: c.endpointId,
          MacAddress: c.mac,
          IPv4Address: `${c.ip}/${c.prefixLen}`,
          IPv6Address: '',
        },
      ]),
    ),
    Options: { ...n.options },
    Labels: { ...n.labels },
  };
}

export function decodeNetworkCreate(body: unknown): NetworkCreateRequest {
  const root = asObject(body, 'body') ?? {};
  const ipam = asObject(root['IPAM'], 'IPAM');
  const ipamDriver = optString(ipam, 'Driver', 'IPAM') ?? 'default';
  if (ipamDriver !== '' && ipamDriver !== 'default')
    throw invalidArgument(`IPAM driver "${ipamDriver}" is not supported`);
  const configs = ipam?.['Config'];
  if (configs !== undefined && configs !== null && !Array.isArray(configs))
    throw invalidArgument('invalid JSON: field IPAM.Config must be an array');
  if (optBool(root, 'EnableIPv6', 'body')) throw invalidArgument('berth networks have no IPv6');
  return {
    name: optString(root, 'Name', 'body') ?? '',
    driver: optString(root, 'Driver', 'body') ?? 'bridge',
    internal: optBool(root, 'Internal', 'body') ?? false,
    attachable: optBool(root, 'Attachable', 'body') ?? false,
    labels: optStringMap(root, 'Labels', 'body') ?? {},
    options: optStringMap(root, 'Options', 'body') ?? {},
    ipam: ((configs as unknown[] | null | undefined) ?? []).map((c, i) => {
      const o = asObject(c, `IPAM.Config[${i}]`) ?? {};
      const at = `IPAM.Config[${i}]`;
      const subnet = optString(o, 'Subnet', at);
      const gateway = optString(o, 'Gateway', at);
      const ipRange = optString(o, 'IPRange', at);
      return {
        ...(subnet ? { subnet } : {}),
        ...(gateway ? { gateway } : {}),
        ...(ipRange ? { ipRange } : {}),
      };
    }),
  };
}

export function networkRoutes(backend: NetworksBackend): Route[] {
  return [
    {
      methods: ['GET'],
      path: '/networks',
      job: 'networks.list',
      handle: async ({ res, query }) => {
        const list = backend.list(parseFiltersParam(query.get('filters')));
        sendJson(
          res,
          200,
          list.map((n) => toNetworkResource(n)),
        );
      },
    },
    {
      methods: ['GET'],
      path: '/networks/:id',
      job: 'networks.inspect',
      handle: async ({ res, params }) => {
        const d = backend.inspect(params['id'] ?? '');
        sendJson(res, 200, toNetworkResource(d.network, d.containers));
      },
    },
    {
      methods: ['POST'],
      path: '/networks/create',
      job: 'networks.create',
      handle: async ({ req, res }) => {
        const created = await backend.create(decodeNetworkCreate(await readJsonBody(req)));
        const body: NetworkCreateResponse = { Id: created.id, Warning: created.warning };
        sendJson(res, 201, body);
      },
    },
    {
      methods: ['DELETE'],
      path: '/networks/:id',
      job: 'networks.remove',
      handle: async ({ res, params }) => {
        await backend.remove(params['id'] ?? '');
        sendNoContent(res);
      },
    },
    {
      methods: ['POST'],
      path: '/networks/prune',
      job: 'networks.prune',
      handle: async ({ res, query }) => {
        const deleted = await backend.prune(parseFiltersParam(query.get('filters')));
        const body: NetworksPruneResponse = {
          NetworksDeleted: deleted.length > 0 ? deleted : null,
        };
        sendJson(res, 200, body);
      },
    },
    {
      methods: ['POST'],
      path: '/networks/:id/connect',
      job: 'networks.connect',
      handle: async ({ req, res, params }) => {
        const root = asObject(await readJsonBody(req), 'body') ?? {};
        const container = optString(root, 'Container', 'body') ?? '';
        if (container === '') throw invalidArgument('a container name or ID is required');
        const e = asObject(root['EndpointConfig'], 'EndpointConfig');
        const ipam = asObject(e?.['IPAMConfig'], 'EndpointConfig.IPAMConfig');
        const ipv4 = optString(ipam, 'IPv4Address', 'EndpointConfig.IPAMConfig') ?? '';
        await backend.connect(params['id'] ?? '', container, {
          aliases: optStrings(e, 'Aliases', 'EndpointConfig') ?? [],
          links: optStrings(e, 'Links', 'EndpointConfig') ?? [],
          ...(ipv4 ? { ipv4Address: ipv4 } : {}),
        });
        res.writeHead(200, { 'Content-Length': '0' });
        res.end();
      },
    },
    {
      methods: ['POST'],
      path: '/networks/:id/disconnect',
      job: 'networks.disconnect',
      handle: async ({ req, res, params }) => {
        const root = asObject(await readJsonBody(req), 'body') ?? {};
        const container = optString(root, 'Container', 'body') ?? '';
        if (container === '') throw invalidArgument('a container name or ID is required');
        await backend.disconnect(
          params['id'] ?? '',
          container,
          optBool(root, 'Force', 'body') ?? false,
        );
        res.writeHead(200, { 'Content-Length': '0' });
        res.end();
      },
    },
  ];
}
