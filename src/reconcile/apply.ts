// The apply stage: executes a plan with bulk writes. Only changed jobs are written, and an update
// touches only spec fields, so nextRunAt, lastRunAt, locks and failure counts survive unless the
// run times themselves changed.
import type { AnyBulkWriteOperation, Db } from "mongodb";
import { ObjectId } from "mongodb";
import { nextRunsAt } from "../schedule/next-runs.js";
import { type JobDocument, jobsCollection, OWNED } from "./actual.js";
import { jobIdHex, newJobDocument, ownerMark, specFields } from "./document.js";
import type { DesiredJob, Plan } from "./types.js";

const CHUNK = 1_000;

export interface ApplyOptions {
  revision: string;
  now?: Date;
  /** Called after each chunk (for progress and to renew the lock). */
  onProgress?: (done: number, total: number) => Promise<void> | void;
}

/**
 * The first run of a job created or rescheduled at `now`; null for automatic (no timer). Cached per
 * (frequency, timezone): thousands of jobs share a handful of schedules and cron parsing is costly.
 */
export function firstRunAt(now: Date): (job: DesiredJob) => Date | null {
  const next = nextRunsAt(now);
  return (job) => {
    if (job.repeatInterval === null && !job.managedNextRun) return null;
    // A plain interval (`every` that is not a cron) starts now, as Agenda starts a new interval job.
    if (typeof job.repeatInterval === "number") return now;
    return next(job.schedule, job.timezone);
  };
}

export function planToOperations(plan: Plan, opts: ApplyOptions): AnyBulkWriteOperation<JobDocument>[] {
  const firstRun = firstRunAt(opts.now ?? new Date());
  const ops: AnyBulkWriteOperation<JobDocument>[] = [];
  for (const change of plan.changes) {
    if (change.action === "delete") {
      ops.push({ deleteOne: { filter: { _id: new ObjectId(change.id), ...OWNED } } });
    } else if (change.action === "update") {
      const $set: Record<string, unknown> = specFields(change.job, opts.revision);
      delete $set.data;
      $set["data.schedsync"] = ownerMark(change.job, opts.revision);
      if (change.rescheduled) $set.nextRunAt = firstRun(change.job);
      ops.push({ updateOne: { filter: { _id: new ObjectId(change.id), ...OWNED }, update: { $set } } });
    } else {
      const job = change.job;
      // The _id derives from the key, so two writers can never create two jobs for one key.
      const doc = {
        _id: new ObjectId(jobIdHex(job.key)),
        ...newJobDocument(job, opts.revision),
        nextRunAt: firstRun(job),
        lockedAt: null,
      } as unknown as JobDocument;
      ops.push({ insertOne: { document: doc } });
    }
  }
  return ops;
}

/** Writes the plan in chunks; safe to re-run after a crash (the next plan picks up the rest). */
export async function applyPlan(db: Db, plan: Plan, opts: ApplyOptions): Promise<number> {
  const col = jobsCollection(db);
  const total = plan.changes.length;
  const now = opts.now ?? new Date();
  // Documents are built a chunk at a time, so a 100k-job apply never holds them all at once.
  for (let i = 0; i < total; i += CHUNK) {
    const chunk = { ...plan, changes: plan.changes.slice(i, i + CHUNK) };
    await col.bulkWrite(planToOperations(chunk, { ...opts, now }), { ordered: true });
    await opts.onProgress?.(Math.min(i + CHUNK, total), total);
  }
  return total;
}
