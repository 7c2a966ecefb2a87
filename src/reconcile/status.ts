// What is applied now: the revision, every managed job with its run times, and what holds or
// changed it outside git: YAML suspensions, emergency pauses, hand edits (drift).
import type { Db } from "mongodb";
import { formatFrequency } from "../config/frequency.js";
import type { BlackoutSkip } from "../jobs/blackout-skips.js";
import { handEdits } from "../jobs/drift.js";
import { DEFAULT_STALE_AFTER_RUNS, type HealthState, healthState, staleAt } from "../jobs/freshness.js";
import { readJobHealth } from "../jobs/health.js";
import { listPauses, type Pause } from "../jobs/pauses.js";
import { readOwnedJobRuns } from "../jobs/repository.js";
import type { FieldChange, JobSuspension, PauseMark } from "../jobs/types.js";
import { countStates, type StateCounts } from "../records/index.js";
import { blackoutAt, describeWindow } from "../schedule/blackout.js";
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
  /** Suspended in YAML (reason, until, scope). */
  suspended?: JobSuspension;
  /** Held by `schedsync pause` (target, by, reason, since, until). */
  paused?: PauseMark;
  /** Hand edits since schedsync wrote the job (field: before → after); absent when none. */
  drift?: FieldChange[];
  /** ok | failing | stale | suspended | idle (jobs/health.ts healthState). */
  state: HealthState;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
  consecutiveFailures: number;
  /** When the job is (or becomes) stale without a success; null without a timer. */
  staleAt: string | null;
  /** The blackout window the job is in now, and when the blackout ends (ISO); absent: none. */
  blackout?: { window: string; reason: string | null; until: string };
  /** The last run a blackout moved: outcome "blackout", when, until when, the window. */
  lastBlackout?: BlackoutSkip;
}

export interface Status {
  revision: string | null;
  appliedAt: string | null;
  jobs: JobStatus[];
  /** Deliveries by state (of the merchant, when given); `held` ones wait for a resend. */
  records: StateCounts;
  /** Every emergency pause in the store. */
  pauses: Pause[];
  /** How many jobs were edited by hand (0: the store is as schedsync wrote it). */
  drifted: number;
}

/**
 * The applied revision and the jobs with their health, suspensions, pauses and hand edits;
 * `staleAfterRuns` is k of the staleness rule (default 3).
 */
export async function readStatus(
  db: Db,
  opts: { merchant?: string; staleAfterRuns?: number; now?: Date } = {},
): Promise<Status> {
  const k = opts.staleAfterRuns ?? DEFAULT_STALE_AFTER_RUNS;
  const now = opts.now ?? new Date();
  const [applied, runs, healths, pauses] = await Promise.all([
    readApplied(db),
    readOwnedJobRuns(db, opts),
    readJobHealth(db, opts),
    listPauses(db),
  ]);
  const owned = new Map(runs.map((r) => [r.key, r.job]));
  const jobs = healths.map((d): JobStatus => {
    const job = owned.get(d.key) ?? null;
    const edits = job ? handEdits(job) : [];
    const held = blackoutAt(d.blackout, d.timezone, now);
    return {
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
      staleAt: iso(staleAt(d.schedule, d.timezone, d.health, k, d.key, d.blackout)),
      ...(job?.spec.suspended && { suspended: job.spec.suspended }),
      ...(job?.pause && { paused: job.pause }),
      ...(edits.length > 0 && { drift: edits }),
      ...(held && {
        blackout: {
          window: describeWindow(held.window),
          reason: held.window.reason,
          until: held.end.toISOString(),
        },
      }),
      ...(d.lastBlackout && { lastBlackout: d.lastBlackout }),
    };
  });
  return {
    revision: applied?.revision ?? null,
    appliedAt: applied?.appliedAt ? applied.appliedAt.toISOString() : null,
    jobs,
    records: await countStates(db, opts.merchant ? { merchantId: opts.merchant } : {}),
    pauses: opts.merchant ? pauses.filter((p) => p.target.split("/")[0] === opts.merchant) : pauses,
    drifted: jobs.filter((j) => j.drift).length,
  };
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}
