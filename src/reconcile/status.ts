// What is applied now: the revision and every managed job with its run times.
import type { Db } from "mongodb";
import { formatFrequency } from "../config/frequency.js";
import type { Frequency } from "../config/model.js";
import { jobsCollection, OWNED } from "./actual.js";
import { readApplied } from "./history.js";

export interface JobStatus {
  key: string;
  frequency: unknown;
  nextRunAt: string | null;
  lastRunAt: string | null;
  disabled: boolean;
}

export interface Status {
  revision: string | null;
  appliedAt: string | null;
  jobs: JobStatus[];
}

export async function readStatus(db: Db, opts: { merchant?: string } = {}): Promise<Status> {
  const applied = await readApplied(db);
  const filter = opts.merchant ? { ...OWNED, "data.schedsync.spec.merchantId": opts.merchant } : OWNED;
  const docs = await jobsCollection(db)
    .find(filter, {
      projection: {
        "data.schedsync.key": 1,
        "data.schedsync.spec.schedule": 1,
        nextRunAt: 1,
        lastRunAt: 1,
        disabled: 1,
      },
    })
    .toArray();
  const jobs = docs
    .map((d) => ({
      key: d.data.schedsync.key,
      frequency: formatFrequency(d.data.schedsync.spec.schedule as Frequency),
      nextRunAt: d.nextRunAt ? d.nextRunAt.toISOString() : null,
      lastRunAt: d.lastRunAt ? d.lastRunAt.toISOString() : null,
      disabled: d.disabled === true,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    revision: applied?.revision ?? null,
    appliedAt: applied?.appliedAt ? applied.appliedAt.toISOString() : null,
    jobs,
  };
}
