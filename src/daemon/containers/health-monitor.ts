import { Writable } from 'node:stream';
import type { ContainerRecord, ContainerState } from '../../core/containers/container.js';
import type { ExecConfig } from '../../core/containers/exec.js';
import {
  HEALTH_OUTPUT_LIMIT,
  initialHealth,
  nextHealth,
  probeOf,
  type HealthLogEntry,
  type Probe,
} from '../../core/containers/health.js';
import type { EventPublisher } from '../../core/events.js';
import type { Logger } from '../../lib/logger.js';

/** What probing needs: execs in the container, and its state. */
export interface HealthMonitorDeps {
  readonly resolve: (id: string) => ContainerRecord;
  readonly updateState: (id: string, state: ContainerState) => void;
  readonly exec: {
    create(ref: string, config: ExecConfig): string;
    start(
      id: string,
      io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
    ): Promise<number>;
    kill(id: string): void;
  };
  readonly events: EventPublisher;
  readonly logger: Logger;
}

interface Watch {
  readonly probe: Probe;
  readonly startedAt: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

/**
 * Runs each running container's health probe (an exec) every Interval, records State.Health
 * and emits `health_status: <status>` when the status changes. One timer per watched
 * container, re-armed after each probe, so probes never overlap.
 */
export class HealthMonitor {
  readonly #watches = new Map<string, Watch>();

  constructor(private readonly deps: HealthMonitorDeps) {}

  /** Starts probing a container that just started (no-op without a healthcheck). */
  watch(id: string): void {
    this.unwatch(id);
    const c = this.deps.resolve(id);
    const probe = probeOf(c.config.Healthcheck);
    if (!probe) return;
    this.deps.updateState(id, { ...c.state, health: initialHealth() });
    const w: Watch = { probe, startedAt: Date.now(), stopped: false };
    this.#watches.set(id, w);
    this.#arm(id, w);
  }

  unwatch(id: string): void {
    const w = this.#watches.get(id);
    if (!w) return;
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    this.#watches.delete(id);
  }

  #arm(id: string, w: Watch): void {
    w.timer = setTimeout(() => {
      void this.#probeOnce(id, w)
        .catch((err: unknown) =>
          this.deps.logger.warn('health probe failed to run', {
            id,
            error: err instanceof Error ? err.message : String(err),
          }),
        )
        .finally(() => {
          if (!w.stopped) this.#arm(id, w);
        });
    }, w.probe.intervalMs);
    w.timer.unref();
  }

  async #probeOnce(id: string, w: Watch): Promise<void> {
    const start = new Date();
    let output = '';
    const capture = new Writable({
      write(chunk: Buffer, _encoding, callback): void {
        if (output.length < HEALTH_OUTPUT_LIMIT)
          output = (output + chunk.toString('utf8')).slice(0, HEALTH_OUTPUT_LIMIT);
        callback();
      },
    });
    const execId = this.deps.exec.create(id, {
      cmd: w.probe.cmd,
      env: [],
      user: '',
      workingDir: '',
      tty: false,
      privileged: false,
      attachStdin: false,
      attachStdout: true,
      attachStderr: true,
      detachKeys: '',
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.deps.exec.kill(execId);
    }, w.probe.timeoutMs);
    let code: number;
    try {
      code = await this.deps.exec.start(execId, { stdout: capture, stderr: capture });
    } finally {
      clearTimeout(timer);
    }
    if (w.stopped) return;
    const entry: HealthLogEntry = {
      Start: start.toISOString(),
      End: new Date().toISOString(),
      ExitCode: timedOut ? -1 : code,
      Output: timedOut ? `Health check exceeded timeout (${w.probe.timeoutMs / 1000}s)` : output,
    };
    const c = this.deps.resolve(id);
    if (c.state.status !== 'running') return;
    const before = c.state.health ?? initialHealth();
    const after = nextHealth(
      before,
      entry,
      w.probe,
      Date.now() - w.startedAt < w.probe.startPeriodMs,
    );
    this.deps.updateState(id, { ...c.state, health: after });
    if (after.Status !== before.Status)
      this.deps.events.publish({
        type: 'container',
        action: `health_status: ${after.Status}`,
        actor: { id, attributes: { image: c.config.Image, name: c.name } },
      });
  }
}
