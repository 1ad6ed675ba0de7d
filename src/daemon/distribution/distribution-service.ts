import type { Progress } from '../../core/progress.js';
import type { Credentials } from '../../core/registry/auth-config.js';
import { Semaphore } from '../../lib/semaphore.js';
import type { ImageStore } from '../images/image-store.js';
import { login, type LoginResult } from './login.js';
import { pullImage, type PullRequest } from './pull.js';
import { pushImage, type PushRequest } from './push.js';
import type { DistributionSettings } from './registry-access.js';
import { searchImages, type SearchRequest, type SearchResult } from './search.js';

/** The registry jobs: pull, push, login (auth) and search. Settings are read per job (SIGHUP). */
export class DistributionService {
  readonly #downloads: Semaphore;
  readonly #uploads: Semaphore;
  /** Uncompressed layer blobs → their gzip form, as pushed since the daemon started. */
  readonly #compressed = new Map<string, { digest: string; size: number }>();

  constructor(
    private readonly store: ImageStore,
    private readonly settings: () => DistributionSettings,
  ) {
    this.#downloads = new Semaphore(() => settings().maxConcurrentDownloads);
    this.#uploads = new Semaphore(() => settings().maxConcurrentUploads);
  }

  pull(request: PullRequest): AsyncGenerator<Progress> {
    return pullImage(
      { store: this.store, settings: this.settings, downloads: this.#downloads },
      request,
    );
  }

  push(request: PushRequest): AsyncGenerator<Progress> {
    return pushImage(
      {
        store: this.store,
        settings: this.settings,
        uploads: this.#uploads,
        compressed: this.#compressed,
      },
      request,
    );
  }

  login(credentials: Credentials, signal?: AbortSignal): Promise<LoginResult> {
    return login(this.settings(), credentials, signal);
  }

  search(request: SearchRequest): Promise<SearchResult[]> {
    return searchImages(this.settings(), request);
  }
}
