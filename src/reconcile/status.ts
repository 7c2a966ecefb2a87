// What is applied now: the revision and every managed job with its run times.
import type { Db } from "mongodb";
import { formatFrequency } from "../config/frequency.js";
import { DEFAULT_STALE_AFTER_RUNS, type HealthState, healthState, staleAt } from "../jobs/freshness.js";
import { readJobHealth } from "../jobs/health.js";
import { countStates, type StateCounts } from "../records/index.js";
import { readApplied } from "./history.js";

export interface JobStatus {
  key: string;
  frequency: unknown;
  nextRunAt: string | null;
  lastRunAt: string | null;
  /** When the last run ended, and when a run last failed (null: never). */
  lastFinishedAt: string | null;
  failedAt: string | null;
  disabled: boolean;
  /** ok | failing | stale | suspended | idle (jobs/health.ts healthState). */
  state: HealthState;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
  consecutiveFailures: number;
  /** When the job is (or becomes) stale without a success; null without a timer. */
  staleAt: string | null;
}

export interface Status {
  revision: string | null;
  appliedAt: string | null;
  jobs: JobStatus[];
  /** Deliveries by state (of the merchant, when given); `held` ones wait for a resend. */
  records: StateCounts;
}

/** The applied revision and the jobs; `staleAfterRuns` is k of the staleness rule (default 3). */
export async function readStatus(
  db: Db,
  opts: { merchant?: string; staleAfterRuns?: number; now?: Date } = {},
): Promise<Status> {
  const applied = await readApplied(db);
  const k = opts.staleAfterRuns ?? DEFAULT_STALE_AFTER_RUNS;
  const now = opts.now ?? new Date();
  const jobs = (await readJobHealth(db, opts)).map((d) => ({
    key: d.key,
    frequency: formatFrequency(d.schedule),
    nextRunAt: iso(d.nextRunAt),
    lastRunAt: iso(d.lastRunAt),
    lastFinishedAt: iso(d.lastFinishedAt),
    failedAt: iso(d.failedAt),
    disabled: d.disabled,
    state: healthState(d, now, k),
    lastSuccessAt: iso(d.health.lastSuccessAt),
    lastFailureAt: iso(d.health.lastFailureAt),
    lastFailureReason: d.health.lastFailureReason,
    consecutiveFailures: d.health.consecutiveFailures,
    staleAt: iso(staleAt(d.schedule, d.timezone, d.health, k, d.key)),
  }));
  return {
    revision: applied?.revision ?? null,
    appliedAt: applied?.appliedAt ? applied.appliedAt.toISOString() : null,
    jobs,
    records: await countStates(db, opts.merchant ? { merchantId: opts.merchant } : {}),
  };
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}
