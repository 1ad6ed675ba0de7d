// Health checks: the probe a container's Healthcheck config describes, how a probe's result
// moves the health status, and the state inspect shows (State.Health).

import { invalidArgument } from '../errors.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthLogEntry {
  readonly Start: string;
  readonly End: string;
  readonly ExitCode: number;
  readonly Output: string;
}

/** State.Health, in Docker's shape. */
export interface HealthState {
  readonly Status: HealthStatus;
  readonly FailingStreak: number;
  readonly Log: readonly HealthLogEntry[];
}

export interface Probe {
  readonly cmd: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startPeriodMs: number;
  readonly retries: number;
}

const NS_PER_MS = 1_000_000;
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
/** Docker keeps the last five results. */
export const HEALTH_LOG_SIZE = 5;
/** And at most this much of a probe's output. */
export const HEALTH_OUTPUT_LIMIT = 4096;

type Healthcheck = Record<string, unknown>;

function duration(h: Healthcheck, key: string): number {
  const v = h[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw invalidArgument(`Healthcheck.${key} must be a number`);
  if (v < 0) throw invalidArgument(`Healthcheck.${key} can't be negative`);
  if (v !== 0 && v < NS_PER_MS)
    throw invalidArgument(`Healthcheck.${key} in can't be less than 1ms`);
  return v;
}

/** Checks a Healthcheck of a create request (Docker's messages); returns it unchanged. */
export function validateHealthcheck(h: Healthcheck | null | undefined): void {
  if (!h) return;
  const test = h['Test'];
  if (
    test !== undefined &&
    test !== null &&
    (!Array.isArray(test) || !test.every((t) => typeof t === 'string'))
  )
    throw invalidArgument('Healthcheck.Test must be an array of strings');
  for (const key of ['Interval', 'Timeout', 'StartPeriod']) duration(h, key);
  const retries = h['Retries'];
  if (
    retries !== undefined &&
    retries !== null &&
    (typeof retries !== 'number' || !Number.isInteger(retries))
  )
    throw invalidArgument('Healthcheck.Retries must be an integer');
  if (typeof retries === 'number' && retries < 0)
    throw invalidArgument("Retries in can't be negative");
}

/** The request's Healthcheck over the image's: unset fields (empty Test, zero values) inherit. */
export function mergeHealthcheck(
  image: Healthcheck | null | undefined,
  request: Healthcheck | null | undefined,
): Healthcheck | undefined {
  if (!request) return image ?? undefined;
  if (!image) return request;
  const out: Healthcheck = { ...request };
  const test = request['Test'];
  if (!Array.isArray(test) || test.length === 0) out['Test'] = image['Test'];
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'Retries'])
    if (!request[key]) out[key] = image[key];
  return out;
}

/** The probe a Healthcheck describes; undefined when there is none (absent, empty, NONE). */
export function probeOf(h: Healthcheck | null | undefined): Probe | undefined {
  if (!h) return undefined;
  const test = Array.isArray(h['Test']) ? (h['Test'] as string[]) : [];
  const [kind, ...rest] = test;
  let cmd: string[];
  if (kind === 'CMD') cmd = rest;
  else if (kind === 'CMD-SHELL') cmd = ['/bin/sh', '-c', rest.join(' ')];
  else return undefined; // NONE, or nothing
  if (cmd.length === 0 || cmd[0] === '') return undefined;
  const ms = (key: string, fallback: number): number => {
    const ns = duration(h, key);
    return ns > 0 ? Math.round(ns / NS_PER_MS) : fallback;
  };
  const retries =
    typeof h['Retries'] === 'number' && h['Retries'] > 0 ? h['Retries'] : DEFAULT_RETRIES;
  return {
    cmd,
    intervalMs: ms('Interval', DEFAULT_INTERVAL_MS),
    timeoutMs: ms('Timeout', DEFAULT_TIMEOUT_MS),
    startPeriodMs: ms('StartPeriod', 0),
    retries,
  };
}

export function initialHealth(): HealthState {
  return { Status: 'starting', FailingStreak: 0, Log: [] };
}

/**
 * The health after one probe: success makes it healthy; a failure counts toward `retries`
 * (not during the start period while still starting) and makes it unhealthy at the limit.
 */
export function nextHealth(
  health: HealthState,
  result: HealthLogEntry,
  probe: Probe,
  inStartPeriod: boolean,
): HealthState {
  const Log = [...health.Log, result].slice(-HEALTH_LOG_SIZE);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log };
  if (inStartPeriod && health.Status === 'starting') return { ...health, Log };
  const FailingStreak = health.FailingStreak + 1;
  return {
    Status: FailingStreak >= probe.retries ? 'unhealthy' : health.Status,
    FailingStreak,
    Log,
  };
}
