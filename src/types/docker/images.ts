// Docker Engine API wire shapes for images (API 1.41).
import type { ContainerSummary } from './containers.js';

export interface ImageSummary {
  Containers: number;
  Created: number;
  Id: string;
  Labels: Record<string, string> | null;
  ParentId: string;
  RepoDigests: string[] | null;
  RepoTags: string[] | null;
  SharedSize: number;
  Size: number;
  VirtualSize: number;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Container: string;
  ContainerConfig: Record<string, unknown>;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown> | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  VirtualSize: number;
  GraphDriver: { Data: Record<string, string> | null; Name: string };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

export interface HistoryResponseItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export type DeleteResponseItem = { Untagged: string } | { Deleted: string };

export interface ImagesPruneResponse {
  ImagesDeleted: DeleteResponseItem[] | null;
  SpaceReclaimed: number;
}

/** One JSON message of a progress stream (pull, push, load, import, build). */
export interface JsonMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  aux?: Record<string, unknown>;
  errorDetail?: { code?: number; message: string };
  error?: string;
}

export interface DiskUsage {
  LayersSize: number;
  Images: ImageSummary[];
  Containers: ContainerSummary[];
  Volumes: unknown[];
  BuildCache: unknown[];
  BuilderSize: number;
}

/** `POST /auth` answer. */
export interface AuthResponse {
  Status: string;
  IdentityToken: string;
}

/** One `GET /images/search` item (snake_case, as the API has it). */
export interface ImageSearchResponseItem {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}
