// Docker's volume shapes on the wire (Engine API 1.41–1.50).

export interface Volume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local';
  /** Only in `system df`. */
  UsageData?: { Size: number; RefCount: number };
}

export interface VolumeListResponse {
  Volumes: Volume[];
  Warnings: string[] | null;
}

export interface VolumesPruneResponse {
  VolumesDeleted: string[];
  SpaceReclaimed: number;
}

/** A container's mount in inspect and ps (`Name` and `Driver` only for volumes). */
export interface MountPointView {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}
