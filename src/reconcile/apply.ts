// The apply stage: executes a plan with bulk writes. Only changed jobs are written, and an update
// touches only spec fields, so nextRunAt, lastRunAt, locks and failure counts survive unless the
// run times themselves changed.
import type { AnyBulkWriteOperation, Db } from "mongodb";
import { ObjectId } from "mongodb";
import { nextRunsAt } from "../schedule/next-runs.js";
import { type JobDocument, jobsCollection } from "./actual.js";
import { jobIdHex, newJobDocument, ownerMark, specFields } from "./document.js";
import type { Change, DesiredJob, Plan } from "./types.js";

const CHUNK = 1_000;
/**
 * FerretDB 1.24 (sqlite) fails an `update` command of 100 or more statements (the connection is
 * dropped, measured), so updates go at most this many to a bulk write. Inserts and deletes are fine.
 */
const UPDATE_CHUNK = 50;

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

/**
 * Updates and deletes address a document by `_id` alone: the ids come from the owned documents read
 * under the reconcile lock. (Adding the ownership condition to the filter costs FerretDB 1.24 a full
 * collection scan per statement, since it then cannot look the document up by `_id`.)
 */
function byId(id: string) {
  return { _id: new ObjectId(id) };
}

export function planToOperations(plan: Plan, opts: ApplyOptions): AnyBulkWriteOperation<JobDocument>[] {
  const firstRun = firstRunAt(opts.now ?? new Date());
  const ops: AnyBulkWriteOperation<JobDocument>[] = [];
  for (const change of plan.changes) {
    if (change.action === "delete") {
      ops.push({ deleteOne: { filter: byId(change.id) } });
    } else if (change.action === "update") {
      const $set: Record<string, unknown> = specFields(change.job, opts.revision);
      delete $set.data;
      $set["data.schedsync"] = ownerMark(change.job, opts.revision);
      if (change.rescheduled) $set.nextRunAt = firstRun(change.job);
      ops.push({ updateOne: { filter: byId(change.id), update: { $set } } });
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
  let done = 0;
  // Documents are built a chunk at a time, so a 100k-job apply never holds them all at once.
  for (const changes of chunks(plan.changes)) {
    await col.bulkWrite(planToOperations({ ...plan, changes }, { ...opts, now }), { ordered: true });
    done += changes.length;
    await opts.onProgress?.(done, total);
  }
  return total;
}

/** Consecutive slices of at most CHUNK changes, of which at most UPDATE_CHUNK are updates. */
export function* chunks(changes: readonly Change[]): Generator<Change[]> {
  let chunk: Change[] = [];
  let updates = 0;
  for (const change of changes) {
    if (chunk.length === CHUNK || (change.action === "update" && updates === UPDATE_CHUNK)) {
      yield chunk;
      chunk = [];
      updates = 0;
    }
    chunk.push(change);
    if (change.action === "update") updates++;
  }
  if (chunk.length) yield chunk;
}
