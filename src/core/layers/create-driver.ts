import { join } from 'node:path';
import { Overlay2Driver } from './overlay2-driver.js';
import type { StorageDriver } from './storage-driver.js';
import { VfsDriver } from './vfs-driver.js';

export type StorageDriverName = StorageDriver['name'];

/** The driver named by `--storage-driver`, rooted at `<dataRoot>/<name>`; call init() next. */
export function createStorageDriver(name: StorageDriverName, dataRoot: string): StorageDriver {
  switch (name) {
    case 'overlay2':
      return new Overlay2Driver({ root: join(dataRoot, 'overlay2') });
    case 'vfs':
      return new VfsDriver({ root: join(dataRoot, 'vfs') });
  }
}
