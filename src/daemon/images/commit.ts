// The image half of `docker commit`: a container's diff becomes a new layer on its image,
// under a config that names the container, with a history entry on top.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hasErrno } from '../../core/errors.js';
import type {
  ContainerDefaults,
  HistoryEntry,
  ImageConfig,
} from '../../core/images/image-config.js';
import type { ImageEntry } from '../../core/images/image-views.js';
import { familiarString, parseReference } from '../../core/images/reference.js';
import type { ImageStore, PendingLayer } from './image-store.js';

/** The diff ID of a layer tar with no entry (two zero blocks): such a layer is not added. */
export const EMPTY_LAYER_DIFF_ID =
  'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export interface CommitImageOptions {
  /** The container's image: the new image's parent. */
  readonly parent: ImageEntry;
  /** The new image's config. */
  readonly config: ContainerDefaults;
  readonly containerId: string;
  readonly containerConfig: ContainerDefaults;
  readonly author: string;
  readonly comment: string;
  /** A normalised `repo:tag` to point at the image. */
  readonly ref?: string;
  readonly signal?: AbortSignal;
}

/**
 * Adds the image whose top layer is the tar `layer` (uncompressed, as a driver's diff gives
 * it). Everything is committed in one transaction; on failure the ingest file goes, and the
 * driver layer with it.
 */
export async function commitImage(
  store: ImageStore,
  layer: Readable,
  options: CommitImageOptions,
): Promise<ImageEntry> {
  const file = store.blobs.ingestPath('commit');
  try {
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(layer, hashing, createWriteStream(file, { mode: 0o600 }), {
      signal: options.signal,
    });
    const diffId = `sha256:${hash.digest('hex')}`;
    const empty = diffId === EMPTY_LAYER_DIFF_ID;
    const { parent } = options;
    const created = new Date().toISOString();
    const history: HistoryEntry = {
      created,
      ...(options.author ? { author: options.author } : {}),
      created_by: (options.containerConfig.Cmd ?? []).join(' '),
      ...(options.comment ? { comment: options.comment } : {}),
      ...(empty ? { empty_layer: true } : {}),
    };
    const config: ImageConfig = {
      architecture: parent.config.architecture,
      ...(parent.config.variant ? { variant: parent.config.variant } : {}),
      os: parent.config.os,
      ...(parent.config['os.version'] ? { 'os.version': parent.config['os.version'] } : {}),
      created,
      ...(options.author ? { author: options.author } : {}),
      config: options.config,
      container: options.containerId,
      container_config: options.containerConfig,
      rootfs: {
        type: 'layers',
        diff_ids: [...parent.config.rootfs.diff_ids, ...(empty ? [] : [diffId])],
      },
      history: [...(parent.config.history ?? []), history],
    };
    // The parent's layers are known (their chain IDs find them); only the new one is applied.
    const layers: PendingLayer[] = parent.layers.map((l) => ({
      file: '',
      diffId: l.diffId,
      label: l.diffId.slice(7, 19),
    }));
    if (!empty) layers.push({ file, diffId, label: diffId.slice(7, 19) });
    const adding = store.addImage(
      {
        configBytes: Buffer.from(JSON.stringify(config)),
        layers,
        refs: options.ref === undefined ? [] : [options.ref],
        parent: parent.id,
      },
      options.signal,
    );
    let step = await adding.next();
    for (let i = 0; !step.done && i <= layers.length; i++) step = await adding.next();
    if (!step.done) throw new Error('adding the committed image did not finish');
    const { entry } = step.value;
    if (options.ref !== undefined) {
      store.events.publish({
        type: 'image',
        action: 'tag',
        actor: { id: entry.id, attributes: { name: familiarString(parseReference(options.ref)) } },
      });
    }
    return entry;
  } finally {
    await unlink(file).catch((err: unknown) => {
      if (!hasErrno(err, 'ENOENT')) throw err;
    });
  }
}
