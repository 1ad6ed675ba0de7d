import type { FilterArgs } from '../../../core/filters.js';
import type {
  EndpointConfig,
  NetworkCreateRequest,
  NetworkRecord,
  NetworkView,
} from '../../../core/network/network.js';

/** What the network routes need from the daemon. */
export interface NetworksBackend {
  list(filters: FilterArgs): NetworkRecord[];
  inspect(ref: string): NetworkView;
  create(request: NetworkCreateRequest): Promise<{ id: string; warning: string }>;
  remove(ref: string): Promise<void>;
  prune(filters: FilterArgs): Promise<string[]>;
  connect(ref: string, container: string, config: EndpointConfig): Promise<void>;
  disconnect(ref: string, container: string, force: boolean): Promise<void>;
}
