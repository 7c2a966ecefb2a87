// What is applied now: the revision, every managed job with its run times, and what holds or
// changed it outside git: YAML suspensions, emergency pauses, hand edits (drift).
import type { Db } from "mongodb";
import { formatFrequency } from "../config/frequency.js";
import { handEdits } from "../jobs/drift.js";
import { listPauses, type Pause } from "../jobs/pauses.js";
import { readOwnedJobRuns } from "../jobs/repository.js";
import type { FieldChange, JobSuspension, PauseMark } from "../jobs/types.js";
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
  /** Suspended in YAML (reason, until, scope). */
  suspended?: JobSuspension;
  /** Held by `schedsync pause` (target, by, reason, since, until). */
  paused?: PauseMark;
  /** Hand edits since schedsync wrote the job (field: before → after); absent when none. */
  drift?: FieldChange[];
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

export async function readStatus(db: Db, opts: { merchant?: string } = {}): Promise<Status> {
  const [applied, runs, pauses] = await Promise.all([
    readApplied(db),
    readOwnedJobRuns(db, opts),
    listPauses(db),
  ]);
  const jobs = runs
    .map((d): JobStatus => {
      const edits = d.job ? handEdits(d.job) : [];
      return {
        key: d.key,
        frequency: formatFrequency(d.spec.schedule),
        nextRunAt: d.nextRunAt ? d.nextRunAt.toISOString() : null,
        lastRunAt: iso(d.lastRunAt),
        lastFinishedAt: iso(d.lastFinishedAt),
        failedAt: iso(d.failedAt),
        disabled: d.disabled,
        ...(d.job?.spec.suspended && { suspended: d.job.spec.suspended }),
        ...(d.job?.pause && { paused: d.job.pause }),
        ...(edits.length > 0 && { drift: edits }),
      };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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
