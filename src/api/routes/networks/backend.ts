import type { FilterArgs } from '../../../core/filters.js';
import type { EndpointConfig, NetworkRecord } from '../../../core/network/network.js';

export interface NetworkCreateInput {
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly ipam: readonly { subnet?: string; gateway?: string; ipRange?: string }[];
}

export interface NetworkDetail {
  readonly network: NetworkRecord;
  readonly containers: readonly {
    id: string;
    name: string;
    endpointId: string;
    mac: string;
    ip: string;
    prefixLen: number;
  }[];
}

/** What the network routes need from the daemon. */
export interface NetworksBackend {
  list(filters: FilterArgs): NetworkRecord[];
  inspect(ref: string): NetworkDetail;
  create(request: NetworkCreateInput): Promise<{ id: string; warning: string }>;
  remove(ref: string): Promise<void>;
  prune(filters: FilterArgs): Promise<string[]>;
  connect(ref: string, container: string, config: EndpointConfig): Promise<void>;
  disconnect(ref: string, container: string, force: boolean): Promise<void>;
}
