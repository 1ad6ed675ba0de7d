import { createHash } from 'node:crypto';
import { invalidArgument } from '../errors.js';

/** The `config` object of an image config: what a container inherits (PascalCase, as the format has it). */
export interface ContainerDefaults {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: Record<string, unknown> | null;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  /** Seconds `docker stop` waits before SIGKILL when not told (`--stop-timeout`). */
  StopTimeout?: number;
  Shell?: string[] | null;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config (Docker image spec v1.2 / OCI image config). Its sha256 is the image ID. */
export interface ImageConfig {
  architecture: string;
  os: string;
  'os.version'?: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  container?: string;
  container_config?: ContainerDefaults;
  config?: ContainerDefaults;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
}

export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out.at(-1);
    out.push(parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`));
  }
  return out;
}

export const MAX_LAYER_DEPTH = 127;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses and checks an image config; what is wrong is named. */
export function parseImageConfig(bytes: Buffer | string): ImageConfig {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString());
  } catch (err) {
    throw invalidArgument(`invalid image config: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidArgument('invalid image config: not a JSON object');
  const config = value as Partial<ImageConfig>;
  const rootfs = config.rootfs;
  if (
    typeof rootfs !== 'object' ||
    rootfs === null ||
    rootfs.type !== 'layers' ||
    !Array.isArray(rootfs.diff_ids)
  ) {
    throw invalidArgument(
      'invalid image config: rootfs must be {"type":"layers","diff_ids":[...]}',
    );
  }
  for (const d of rootfs.diff_ids) {
    if (typeof d !== 'string' || !DIGEST.test(d))
      throw invalidArgument(`invalid image config: bad diff_id ${JSON.stringify(d)}`);
  }
  if (rootfs.diff_ids.length > MAX_LAYER_DEPTH) {
    throw invalidArgument(
      `max depth exceeded: the image has ${rootfs.diff_ids.length} layers, at most ${MAX_LAYER_DEPTH} are supported`,
    );
  }
  if (typeof config.os !== 'string' || typeof config.architecture !== 'string') {
    throw invalidArgument('invalid image config: os and architecture must be strings');
  }
  return config as ImageConfig;
}
