// Freshness rules on a job's health, pure (no store): when a job is stale and its one-word state.
// Kept apart from health.ts so the CLI's option defaults load no store driver. Rule source: issue 13
// ("no success within k × its interval"); docs/operations.md, "Freshness, alerts and notifications".
import { nextAllowed } from "../schedule/blackout.js";
import type { BlackoutWindow, Frequency } from "../schedule/model.js";
import { nextRunAfter, nextRuns } from "../schedule/next-runs.js";

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
 * with no reference time. Rule: issue 13 ("no success within k × its interval"). Runs that
 * `blackout` windows move count at the window's end, once (docs/schedules.md), so a freeze does not
 * make its jobs stale.
 */
export function staleAt(
  schedule: Frequency,
  timezone: string,
  health: JobHealth,
  k = DEFAULT_STALE_AFTER_RUNS,
  key?: string,
  blackout?: readonly BlackoutWindow[],
): Date | null {
  const from = health.lastSuccessAt ?? health.since ?? null;
  if (!from || k < 1) return null;
  // The key places an `offset: H` schedule on its own phase (schedule/phase.ts).
  if (!blackout?.length) return nextRuns(schedule, timezone, from, k, key)[k - 1] ?? null;
  let last: Date | null = from;
  for (let n = 0; n < k && last; n++) {
    const next = nextRunAfter(schedule, timezone, last, key);
    last = next && nextAllowed(blackout, timezone, next);
  }
  return last;
}

/**
 * The word for a job: suspended (disabled in git), stale (staleAt passed), failing (its last run
 * failed), idle (never ran, nothing due yet), ok.
 */
export function healthState(
  job: {
    key?: string;
    disabled: boolean;
    schedule: Frequency;
    timezone: string;
    health: JobHealth;
    blackout?: readonly BlackoutWindow[];
  },
  now: Date,
  k = DEFAULT_STALE_AFTER_RUNS,
): HealthState {
  if (job.disabled) return "suspended";
  const at = staleAt(job.schedule, job.timezone, job.health, k, job.key, job.blackout);
  if (at && at.getTime() <= now.getTime()) return "stale";
  if (job.health.consecutiveFailures > 0) return "failing";
  if (!job.health.lastSuccessAt) return "idle";
  return "ok";
}
