import { invalidArgument, BerthError } from '../../../core/errors.js';
import type { HistoryResponseItem, ImagesPruneResponse } from '../../../types/docker/images.js';
import { parseFiltersParam } from '../../filters.js';
import { queryBool, sendJson } from '../../http.js';
import { streamProgress } from '../../json-stream.js';
import type { Route, RouteContext } from '../../route.js';
import { decodeRegistryAuth } from '../../../core/registry/auth-config.js';
import type { Progress } from '../../../core/progress.js';
import type { ImagesBackend, RegistryTransfers } from './backend.js';
import { toDeleteItems, toImageInspect, toImageSummary } from './to-docker.js';

/** `/images/{name}/{action}` where the name itself may contain `/` and `:`. */
function splitNameAction(
  rest: string,
  actions: readonly string[],
): { name: string; action: string } {
  for (const action of actions) {
    if (rest.endsWith(`/${action}`)) return { name: rest.slice(0, -action.length - 1), action };
  }
  return { name: rest, action: '' };
}

function wildcard(ctx: RouteContext): string {
  return decodeURIComponent(ctx.params['*'] ?? '');
}

/** The first step already taken (so errors before it got their own status), then the rest. */
async function* resumed(
  first: IteratorResult<Progress>,
  rest: AsyncIterator<Progress>,
): AsyncGenerator<Progress> {
  for (let step = first; !step.done; step = await rest.next()) yield step.value;
}

function registryAuth(ctx: RouteContext): ReturnType<typeof decodeRegistryAuth> {
  const value = ctx.req.headers['x-registry-auth'];
  return decodeRegistryAuth(Array.isArray(value) ? value[0] : value);
}

/** Streams a pull or push; what fails before its first line is a plain error status. */
async function streamTransfer(
  ctx: RouteContext,
  progress: AsyncGenerator<Progress>,
): Promise<void> {
  const first = await progress.next();
  await streamProgress(ctx.res, resumed(first, progress), ctx.job.signal);
}

export function imageRoutes(images: ImagesBackend, transfers?: RegistryTransfers): Route[] {
  const inspect = (ctx: RouteContext, name: string): void => {
    const entry = images.resolve(name);
    sendJson(ctx.res, 200, toImageInspect(entry, images.driverName, images.graphDriverData(entry)));
  };
  const history = (ctx: RouteContext, name: string): void => {
    const body: HistoryResponseItem[] = images.history(name).map((h) => ({
      Id: h.id,
      Created: h.created,
      CreatedBy: h.createdBy,
      Tags: h.tags.length > 0 ? h.tags : null,
      Size: h.size,
      Comment: h.comment,
    }));
    sendJson(ctx.res, 200, body);
  };
  const save = (ctx: RouteContext, names: string[]): void => {
    const stream = images.save(names, ctx.job.signal);
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    stream.pipe(ctx.res);
  };

  return [
    {
      methods: ['GET'],
      path: '/images/json',
      job: 'images.list',
      handle: async ({ res, query }) => {
        const list = images.list({
          all: queryBool(query, 'all'),
          filters: parseFiltersParam(query.get('filters')),
        });
        sendJson(
          res,
          200,
          list.map((e) => toImageSummary(e)),
        );
      },
    },
    {
      methods: ['GET'],
      path: '/images/*',
      job: 'images.get',
      handle: async (ctx) => {
        const { name, action } = splitNameAction(wildcard(ctx), ['json', 'history', 'get']);
        if (action === 'json') return inspect(ctx, name);
        if (action === 'history') return history(ctx, name);
        if (action === 'get') {
          await new Promise<void>((resolve, reject) => {
            save(ctx, [name]);
            ctx.res.on('finish', resolve).on('close', resolve).on('error', reject);
          });
          return;
        }
        throw new BerthError('not-found', 'page not found');
      },
    },
    {
      methods: ['GET'],
      path: '/images/get',
      job: 'images.save',
      kind: 'stream',
      handle: async (ctx) => {
        const names = ctx.query.getAll('names');
        await new Promise<void>((resolve, reject) => {
          save(ctx, names);
          ctx.res.on('finish', resolve).on('close', resolve).on('error', reject);
        });
      },
    },
    {
      methods: ['POST'],
      path: '/images/*',
      job: 'images.tag',
      handle: async (ctx) => {
        const { name, action } = splitNameAction(wildcard(ctx), ['tag', 'push']);
        if (action === 'push') {
          if (!transfers)
            throw new BerthError('not-implemented', 'pushing images is not supported');
          return streamTransfer(
            ctx,
            transfers.push({
              name,
              tag: ctx.query.get('tag') ?? '',
              credentials: registryAuth(ctx),
              signal: ctx.job.signal,
            }),
          );
        }
        if (action !== 'tag') throw new BerthError('not-found', 'page not found');
        await images.tag(name, ctx.query.get('repo') ?? '', ctx.query.get('tag') ?? '');
        ctx.res.writeHead(201, { 'Content-Length': '0' });
        ctx.res.end();
      },
    },
    {
      methods: ['DELETE'],
      path: '/images/*',
      job: 'images.remove',
      handle: async (ctx) => {
        const removed = await images.remove(wildcard(ctx), {
          force: queryBool(ctx.query, 'force'),
          noPrune: queryBool(ctx.query, 'noprune'),
        });
        sendJson(ctx.res, 200, toDeleteItems(removed));
      },
    },
    {
      methods: ['POST'],
      path: '/images/prune',
      job: 'images.prune',
      handle: async ({ res, query }) => {
        const result = await images.prune(parseFiltersParam(query.get('filters')));
        const body: ImagesPruneResponse = {
          ImagesDeleted: result.removed.length > 0 ? toDeleteItems(result.removed) : null,
          SpaceReclaimed: result.spaceReclaimed,
        };
        sendJson(res, 200, body);
      },
    },
    {
      methods: ['POST'],
      path: '/images/load',
      job: 'images.load',
      handle: async ({ req, res, query, job }) => {
        const quiet = queryBool(query, 'quiet');
        await streamProgress(
          res,
          images.load(req, job.signal),
          job.signal,
          (p) => !quiet || p.stream !== undefined,
        );
      },
    },
    {
      methods: ['POST'],
      path: '/images/create',
      job: 'images.create',
      handle: async (ctx) => {
        const { req, res, query, job } = ctx;
        const fromSrc = query.get('fromSrc');
        if (fromSrc === null) {
          const fromImage = query.get('fromImage');
          if (fromImage !== null) {
            if (!transfers)
              throw new BerthError('not-implemented', 'pulling images is not supported');
            return streamTransfer(
              ctx,
              transfers.pull({
                name: fromImage,
                tag: query.get('tag') ?? '',
                platform: query.get('platform') || undefined,
                credentials: registryAuth(ctx),
                signal: job.signal,
              }),
            );
          }
          throw invalidArgument('fromImage or fromSrc is required');
        }
        if (fromSrc !== '-')
          throw new BerthError(
            'not-implemented',
            'importing from a URL is not supported: send the tar in the request body (fromSrc=-)',
          );
        const progress = images.import(req, {
          repo: query.get('repo') ?? '',
          tag: query.get('tag') ?? '',
          changes: query.getAll('changes'),
          message: query.get('message') ?? '',
          signal: job.signal,
        });
        // Bad parameters fail before the stream starts, with their own status.
        const first = await progress.next();
        await streamProgress(
          res,
          (async function* () {
            let step = first;
            while (!step.done) {
              step = await progress.next();
            }
            yield { status: step.value.id };
          })(),
          job.signal,
        );
      },
    },
  ];
}
