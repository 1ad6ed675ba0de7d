import { createWriteStream } from 'node:fs';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unlink } from 'node:fs/promises';
import { applyChanges } from '../../core/images/changes.js';
import { hasErrno } from '../../core/errors.js';
import type { ImageConfig } from '../../core/images/image-config.js';
import { formatReference, parseReference } from '../../core/images/reference.js';
import type { Progress } from '../../core/progress.js';
import { goArch } from '../../lib/arch.js';
import type { ImageEntry, ImportOptions } from '../../core/images/image-views.js';
import type { ImageStore } from './image-store.js';

/** `docker import`: a root filesystem tar (plain, gzip or zstd) becomes a one-layer image. */
export async function* importImage(
  store: ImageStore,
  source: Readable,
  options: ImportOptions,
): AsyncGenerator<Progress, ImageEntry> {
  // Check what can be checked before reading a byte of the upload.
  const refs: string[] = [];
  if (options.repo !== '') {
    const ref = parseReference(options.repo, { defaultTag: options.tag || 'latest' });
    refs.push(
      formatReference(
        options.tag && !options.repo.includes('@') ? { ...ref, tag: options.tag } : ref,
      ),
    );
  }
  const defaults = applyChanges({}, options.changes);
  const file = store.blobs.ingestPath('import');
  try {
    await pipeline(source, createWriteStream(file, { mode: 0o600 }), { signal: options.signal });
    const layer = await store.layers.register(file, { parent: undefined, signal: options.signal });
    const created = new Date().toISOString();
    const comment = options.message || 'Imported from -';
    const config: ImageConfig = {
      architecture: goArch(os.machine()),
      os: 'linux',
      created,
      ...(options.message ? { comment: options.message } : {}),
      config: defaults,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, comment }],
    };
    const { entry } = yield* store.addImage(
      {
        configBytes: Buffer.from(JSON.stringify(config)),
        layers: [
          { file, diffId: layer.diffId, label: layer.diffId.slice(7, 19), registered: layer },
        ],
        refs,
      },
      options.signal,
    );
    store.events.publish({
      type: 'image',
      action: 'import',
      actor: { id: entry.id, attributes: { name: entry.id } },
    });
    return entry;
  } finally {
    await unlink(file).catch((err: unknown) => {
      if (!hasErrno(err, 'ENOENT')) throw err;
    });
  }
}
