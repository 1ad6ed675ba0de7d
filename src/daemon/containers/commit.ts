// `docker commit`: a container's writable layer and config become a new image on its image.

import type { Readable } from 'node:stream';
import type { ContainerRecord } from '../../core/containers/container.js';
import { conflict, invalidArgument, isBerthError } from '../../core/errors.js';
import type { EventPublisher } from '../../core/events.js';
import { commitConfig } from '../../core/images/commit-config.js';
import type { ContainerDefaults } from '../../core/images/image-config.js';
import type { ImageEntry } from '../../core/images/image-views.js';
import {
  DEFAULT_TAG,
  familiarString,
  formatReference,
  isValidTag,
  parseReference,
} from '../../core/images/reference.js';
import type { CommitImageOptions } from '../images/commit.js';
import { writableLayerParent, type ContainerLayerDeps } from './diff.js';

export interface CommitRequest {
  /** The container, by ID, name or ID prefix. */
  readonly container: string;
  /** `repo` (maybe with a tag) and `tag` as the client sent them; empty repo: no tag. */
  readonly repo: string;
  readonly tag: string;
  readonly author: string;
  readonly comment: string;
  /** Dockerfile instructions (`CMD ["sh"]`) applied to the config. */
  readonly changes: readonly string[];
  /** The config sent with the request; undefined: the container's. */
  readonly config: ContainerDefaults | undefined;
  /** Freeze a running container while its layer is read. */
  readonly pause: boolean;
  readonly signal?: AbortSignal;
}

/** The image side: adds the image made of a container's diff. */
export interface ImageCommitter {
  resolve(name: string): ImageEntry;
  commit(layer: Readable, options: CommitImageOptions): Promise<ImageEntry>;
}

export interface CommitDeps extends ContainerLayerDeps {
  readonly images: ImageCommitter;
  /** Freezes and thaws a running container's processes. */
  readonly pause: (id: string) => Promise<void>;
  readonly unpause: (id: string) => Promise<void>;
  readonly events: EventPublisher;
}

/** The normalised `repo:tag` a commit tags its image with (undefined: none), or a 400. */
export function commitReference(repo: string, tag: string): string | undefined {
  if (repo === '') return undefined;
  const ref = parseReference(repo, { defaultTag: null });
  if (ref.digest !== undefined) throw invalidArgument('cannot import digest reference');
  if (tag !== '' && !isValidTag(tag)) throw invalidArgument('invalid tag format');
  return formatReference({ ...ref, tag: tag || ref.tag || DEFAULT_TAG });
}

/** Commits the container; returns the new image's ID. */
export async function commitContainer(deps: CommitDeps, request: CommitRequest): Promise<string> {
  // What can be refused is refused before anything is frozen or written.
  const ref = commitReference(request.repo, request.tag);
  if (request.container === '')
    throw invalidArgument('invalid container name or ID: value is empty');
  const c = deps.resolve(request.container);
  if (c.state.status === 'dead')
    throw conflict(`You cannot commit container ${c.id} which is Dead`);
  if (c.state.status === 'removing')
    throw conflict(`You cannot commit container ${c.id} which is being removed`);
  const config = commitConfig({
    requested: request.config,
    changes: request.changes,
    container: c.config,
  });
  const parent = deps.images.resolve(c.imageId);

  const frozen = request.pause && c.state.status === 'running';
  if (frozen) await deps.pause(c.id);
  let image: ImageEntry;
  try {
    const layer = await deps.driver.diff(
      c.driverId,
      await writableLayerParent(deps, c),
      request.signal,
    );
    image = await deps.images.commit(layer, {
      parent,
      config,
      containerId: c.id,
      containerConfig: c.config,
      author: request.author,
      comment: request.comment,
      ref,
      signal: request.signal,
    });
    // As Docker: the commit event comes while the container is still frozen.
    deps.events.publish({
      type: 'container',
      action: 'commit',
      actor: {
        id: c.id,
        attributes: {
          ...(c.config.Labels ?? {}),
          comment: request.comment,
          image: c.config.Image,
          imageID: image.id,
          imageRef: ref === undefined ? '' : familiarString(parseReference(ref)),
          name: c.name,
        },
      },
    });
  } finally {
    if (frozen) await thaw(deps, c.id);
  }
  return image.id;
}

/** Thaws a frozen container; one that stopped meanwhile has nothing left to thaw. */
async function thaw(deps: CommitDeps, id: string): Promise<void> {
  try {
    await deps.unpause(id);
  } catch (err) {
    let live: boolean;
    try {
      live = isStillLive(deps.resolve(id));
    } catch (lookupErr) {
      if (!isBerthError(lookupErr, 'not-found')) throw lookupErr;
      live = false;
    }
    if (live) throw err;
  }
}

function isStillLive(c: ContainerRecord): boolean {
  return c.state.status === 'running' || c.state.status === 'paused';
}
