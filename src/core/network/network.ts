// Networks and their attachments as the engine keeps them.

import type { PortMapping } from './ports.js';

export type NetworkDriver = 'bridge' | 'host' | 'null';

export interface NetworkRecord {
  readonly id: string;
  readonly name: string;
  readonly created: string;
  readonly driver: NetworkDriver;
  /** The bridge device (bridge driver only). */
  readonly bridge?: string;
  readonly subnet?: string;
  readonly gateway?: string;
  readonly ipRange?: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  /** The daemon's default bridge (`bridge`): links, no name resolution. */
  readonly isDefault?: boolean;
}

/** What a container asked for on a network (NetworkingConfig, `network connect`). */
export interface EndpointConfig {
  readonly aliases?: readonly string[];
  /** A static address (--ip). */
  readonly ipv4Address?: string;
  readonly links?: readonly string[];
}

/** A container's membership of a network; ip, mac and ports while it is attached. */
export interface Attachment {
  readonly containerId: string;
  readonly networkId: string;
  readonly config: EndpointConfig;
  readonly ip?: string;
  readonly mac?: string;
  readonly ports?: readonly PortMapping[];
}

/** A container's endpoint on one network, as inspect and ps show it. */
export interface EndpointView {
  readonly network: NetworkRecord;
  readonly config: EndpointConfig;
  readonly endpointId: string;
  readonly ip?: string;
  readonly prefixLen: number;
  readonly gateway?: string;
  readonly mac?: string;
}

export interface ContainerNetworkView {
  readonly endpoints: readonly EndpointView[];
  readonly ports: readonly PortMapping[];
  readonly sandboxKey: string;
}

/** A network create as the API decodes it. */
export interface NetworkCreateRequest {
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly ipam: readonly { subnet?: string; gateway?: string; ipRange?: string }[];
}

/** A network with its containers, as inspect shows it. */
export interface NetworkView {
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
