// Freshness rules on a job's health, pure (no store): when a job is stale and its one-word state.
// Kept apart from health.ts so the CLI's option defaults load no store driver. Rule source: issue 13
// ("no success within k × its interval"); docs/operations.md, "Freshness, alerts and notifications".
import type { Frequency } from "../schedule/model.js";
import { nextRuns } from "../schedule/next-runs.js";

export interface JobHealth {
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  /** The last failure's reason (an error message or "120 of 120 records failed: …"). */
  lastFailureReason: string | null;
  /** Failed runs since the last success (0: the last run succeeded). */
  consecutiveFailures: number;
  /** When the reconciler created the job (the reference of a job that never succeeded). */
  since: Date | null;
}

/** Runs without a success after which a scheduled job is stale (the --stale-after default). */
export const DEFAULT_STALE_AFTER_RUNS = 3;

/** A job's health in one word: the status grid's and the metrics' vocabulary. */
export type HealthState = "ok" | "failing" | "stale" | "suspended" | "idle";

/**
 * When a job becomes stale: the `k`-th scheduled run after its last success (or, never having
 * succeeded, after `since`, when the reconciler created it). For `every: 30m` and k = 3 that is
 * 90 minutes after the last success. null for jobs without a timer (automatic, off) and for jobs
 * with no reference time. Rule: issue 13 ("no success within k × its interval").
 */
export function staleAt(
  schedule: Frequency,
  timezone: string,
  health: JobHealth,
  k = DEFAULT_STALE_AFTER_RUNS,
  key?: string,
): Date | null {
  const from = health.lastSuccessAt ?? health.since ?? null;
  if (!from || k < 1) return null;
  // The key places an `offset: H` schedule on its own phase (schedule/phase.ts).
  const runs = nextRuns(schedule, timezone, from, k, key);
  return runs[k - 1] ?? null;
}

/**
 * The word for a job: suspended (disabled in git), stale (staleAt passed), failing (its last run
 * failed), idle (never ran, nothing due yet), ok.
 */
export function healthState(
  job: { key?: string; disabled: boolean; schedule: Frequency; timezone: string; health: JobHealth },
  now: Date,
  k = DEFAULT_STALE_AFTER_RUNS,
): HealthState {
  if (job.disabled) return "suspended";
  const at = staleAt(job.schedule, job.timezone, job.health, k, job.key);
  if (at && at.getTime() <= now.getTime()) return "stale";
  if (job.health.consecutiveFailures > 0) return "failing";
  if (!job.health.lastSuccessAt) return "idle";
  return "ok";
}
