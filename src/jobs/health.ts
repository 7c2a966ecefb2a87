// A managed job's run health: its last success and last failure, kept on its job document (field
// PATH.health) so status, the page and /metrics read one place. Staleness rule: docs/operations.md.
import type { Db } from "mongodb";
import type { Frequency } from "../schedule/model.js";
import { nextRuns } from "../schedule/next-runs.js";
import { jobName, ownedFilter, PATH, serviceOfKey } from "./document.js";
import { jobsCollection } from "./repository.js";

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

export const NO_HEALTH: JobHealth = {
  lastSuccessAt: null,
  lastFailureAt: null,
  lastFailureReason: null,
  consecutiveFailures: 0,
  since: null,
};

/** A run's outcome: ok, or failed with a reason. `at` is when the run ended. */
export type RunOutcome = { ok: true; at: Date } | { ok: false; at: Date; reason: string };

/** The health stored on a document (defaults for missing or mistyped fields). */
export function healthOf(doc: Record<string, unknown> | null | undefined): JobHealth {
  const h = (doc?.[PATH.health] ?? {}) as Partial<JobHealth>;
  const date = (v: unknown) => (v instanceof Date ? v : null);
  return {
    lastSuccessAt: date(h.lastSuccessAt),
    lastFailureAt: date(h.lastFailureAt),
    lastFailureReason: typeof h.lastFailureReason === "string" ? h.lastFailureReason : null,
    consecutiveFailures: typeof h.consecutiveFailures === "number" ? h.consecutiveFailures : 0,
    since: date(h.since),
  };
}

/**
 * Records a run's outcome on the scheduled job of `key` (triggered and manual runs count for it).
 * Returns the health before and after, or undefined when schedsync owns no job with that key.
 */
export async function recordJobOutcome(
  db: Db,
  key: string,
  outcome: RunOutcome,
): Promise<{ before: JobHealth; after: JobHealth } | undefined> {
  const update = outcome.ok
    ? { $set: { [`${PATH.health}.lastSuccessAt`]: outcome.at, [`${PATH.health}.consecutiveFailures`]: 0 } }
    : {
        $set: {
          [`${PATH.health}.lastFailureAt`]: outcome.at,
          [`${PATH.health}.lastFailureReason`]: outcome.reason,
        },
        $inc: { [`${PATH.health}.consecutiveFailures`]: 1 },
      };
  const doc = await jobsCollection(db).findOneAndUpdate(
    { ...ownedFilter(), name: jobName(serviceOfKey(key)), [PATH.key]: key },
    update,
    // No projection: FerretDB 1.24's findAndModify does not implement "fields".
    { returnDocument: "before" },
  );
  if (!doc) return undefined;
  const before = healthOf(doc);
  const after: JobHealth = outcome.ok
    ? { ...before, lastSuccessAt: outcome.at, consecutiveFailures: 0 }
    : {
        ...before,
        lastFailureAt: outcome.at,
        lastFailureReason: outcome.reason,
        consecutiveFailures: before.consecutiveFailures + 1,
      };
  return { before, after };
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

/** One owned job with its health, as status, the page and /metrics show it. */
export interface JobHealthRow {
  key: string;
  merchantId: string;
  cartId: string | null;
  service: string;
  schedule: Frequency;
  timezone: string;
  disabled: boolean;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  health: JobHealth;
}

/** Every owned job (of one merchant when given) with its health, sorted by key. */
export async function readJobHealth(db: Db, opts: { merchant?: string } = {}): Promise<JobHealthRow[]> {
  const filter = opts.merchant ? { ...ownedFilter(), [PATH.merchantId]: opts.merchant } : ownedFilter();
  const docs = await jobsCollection(db)
    .find(filter, {
      projection: {
        [PATH.key]: 1,
        [PATH.spec]: 1,
        [PATH.health]: 1,
        nextRunAt: 1,
        lastRunAt: 1,
        disabled: 1,
      },
    })
    .toArray();
  const rows = docs.map((d) => {
    const spec = d.data.schedsync.spec;
    return {
      key: d.data.schedsync.key,
      merchantId: spec.merchantId,
      cartId: spec.cartId ?? null,
      service: spec.service,
      schedule: spec.schedule,
      timezone: spec.timezone,
      disabled: d.disabled === true,
      nextRunAt: d.nextRunAt ?? null,
      lastRunAt: d.lastRunAt ?? null,
      health: healthOf(d),
    };
  });
  return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
