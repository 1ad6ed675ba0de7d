import type { EventSource } from '../../../core/events.js';
import type { JobKind, JobSnapshot } from '../../../core/jobs.js';
import type { EngineInfo, EngineVersion } from '../../../core/system.js';

/** What the system routes need from the daemon. */
export interface SystemBackend {
  version(): EngineVersion;
  info(): EngineInfo;
}

export interface EngineIntrospection {
  commands(): { name: string; kind: JobKind }[];
  active(): JobSnapshot[];
}

export interface SystemRouteDeps {
  readonly system: SystemBackend;
  readonly events: EventSource;
  readonly engine: EngineIntrospection;
}
