// The config of an image made by `docker commit`: the request's config (or, without one, the
// container's), with the `--change` instructions applied, completed from the container's.

import { applyChanges } from './changes.js';
import type { ContainerDefaults } from './image-config.js';

export interface CommitConfigInput {
  /** The config sent with the request; undefined: start from the container's. */
  readonly requested: ContainerDefaults | undefined;
  readonly changes: readonly string[];
  /** The container's own config. */
  readonly container: ContainerDefaults;
}

function envKey(entry: string): string {
  return entry.split('=', 1)[0] ?? entry;
}

/**
 * Applies the changes, then fills what the result leaves unset from the container: user,
 * working directory, stop signal, command (unless an entrypoint is set), entrypoint; exposed
 * ports, environment, labels and volumes are unions (the result's own values win).
 */
export function commitConfig(input: CommitConfigInput): ContainerDefaults {
  const out = applyChanges(input.requested ?? input.container, input.changes);
  const from = input.container;
  if (!out.User) out.User = from.User ?? '';
  const ports = out.ExposedPorts ?? {};
  out.ExposedPorts =
    Object.keys(ports).length === 0
      ? (from.ExposedPorts ?? null)
      : { ...(from.ExposedPorts ?? {}), ...ports };
  const env = out.Env ?? [];
  if (env.length === 0) {
    out.Env = from.Env ?? null;
  } else {
    const keys = new Set(env.map(envKey));
    out.Env = [...env, ...(from.Env ?? []).filter((e) => !keys.has(envKey(e)))];
  }
  out.Labels = { ...(from.Labels ?? {}), ...(out.Labels ?? {}) };
  if ((out.Entrypoint ?? []).length === 0) {
    if ((out.Cmd ?? []).length === 0) {
      out.Cmd = from.Cmd ?? null;
      if (from.Shell) out.Shell = from.Shell;
    }
    if (out.Entrypoint === undefined || out.Entrypoint === null)
      out.Entrypoint = from.Entrypoint ?? null;
  }
  if (out.Healthcheck === undefined || out.Healthcheck === null) {
    if (from.Healthcheck) out.Healthcheck = from.Healthcheck;
  }
  if (!out.WorkingDir) out.WorkingDir = from.WorkingDir ?? '';
  const volumes = out.Volumes ?? {};
  out.Volumes =
    Object.keys(volumes).length === 0
      ? (from.Volumes ?? null)
      : { ...volumes, ...(from.Volumes ?? {}) };
  if (!out.StopSignal && from.StopSignal) out.StopSignal = from.StopSignal;
  return out;
}
