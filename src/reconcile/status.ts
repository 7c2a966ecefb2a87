// What is applied now: the revision and every managed job with its run times.
import type { Db } from "mongodb";
import { formatFrequency } from "../config/frequency.js";
import { readOwnedJobRuns } from "../jobs/repository.js";
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
}

export interface Status {
  revision: string | null;
  appliedAt: string | null;
  jobs: JobStatus[];
  /** Deliveries by state (of the merchant, when given); `held` ones wait for a resend. */
  records: StateCounts;
}

export async function readStatus(db: Db, opts: { merchant?: string } = {}): Promise<Status> {
  const applied = await readApplied(db);
  const jobs = (await readOwnedJobRuns(db, opts))
    .map((d) => ({
      key: d.key,
      frequency: formatFrequency(d.spec.schedule),
      nextRunAt: d.nextRunAt ? d.nextRunAt.toISOString() : null,
      lastRunAt: iso(d.lastRunAt),
      lastFinishedAt: iso(d.lastFinishedAt),
      failedAt: iso(d.failedAt),
      disabled: d.disabled,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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
