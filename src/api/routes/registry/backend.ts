import type { FilterArgs } from '../../../core/filters.js';
import type { Credentials } from '../../../core/registry/auth-config.js';

export interface SearchHit {
  readonly name: string;
  readonly description: string;
  readonly starCount: number;
  readonly isOfficial: boolean;
  readonly isAutomated: boolean;
}

/** What the registry routes (`/auth`, `/images/search`) need from the daemon. */
export interface RegistryBackend {
  login(
    credentials: Credentials,
    signal?: AbortSignal,
  ): Promise<{ status: string; identityToken: string }>;
  search(request: {
    term: string;
    limit?: number;
    filters: FilterArgs;
    credentials: Credentials;
    signal?: AbortSignal;
  }): Promise<SearchHit[]>;
}
