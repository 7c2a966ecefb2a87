// The apply stage: executes a plan with bulk writes. Only changed jobs are written, and an update
// touches only spec fields, so nextRunAt, lastRunAt, locks and failure counts survive unless the
// run times themselves changed.
import type { AnyBulkWriteOperation, Db } from "mongodb";
import { ObjectId } from "mongodb";
import { nextRunsAt } from "../schedule/next-runs.js";
import { type JobDocument, jobsCollection } from "./actual.js";
import { jobIdHex, newJobDocument, ownerMark, specFields } from "./document.js";
import type { Change, DesiredJob, Plan, UpdateChange } from "./types.js";

const CHUNK = 1_000;
/**
 * FerretDB 1.24 (sqlite) fails an `update` command of 100 or more statements (the connection is
 * dropped, measured), so updates go at most this many to a bulk write. Inserts and deletes are fine.
 */
const UPDATE_CHUNK = 50;

export interface ApplyOptions {
  revision: string;
  now?: Date;
  /**
   * Rewrite updated jobs (read, delete, insert with their runtime fields kept) instead of updating
   * them in place. For FerretDB 1.24, where each update statement costs a scan of the collection
   * (50 updates: 7.3 s on 20,000 jobs) while a delete/insert of 500 costs about 4 s.
   */
  rewriteUpdates?: boolean;
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
  const progress = async (n: number) => {
    done += n;
    await opts.onProgress?.(done, total);
  };
  const rewritten = opts.rewriteUpdates ? plan.changes.filter((c) => c.action === "update") : [];
  const rest = opts.rewriteUpdates ? plan.changes.filter((c) => c.action !== "update") : plan.changes;
  // Documents are built a chunk at a time, so a 100k-job apply never holds them all at once.
  for (const changes of chunks(rest)) {
    await col.bulkWrite(planToOperations({ ...plan, changes }, { ...opts, now }), { ordered: true });
    await progress(changes.length);
  }
  for (let i = 0; i < rewritten.length; i += REWRITE_CHUNK) {
    const changes = rewritten.slice(i, i + REWRITE_CHUNK) as UpdateChange[];
    await rewrite(db, changes, { ...opts, now });
    await progress(changes.length);
  }
  return total;
}

const REWRITE_CHUNK = 500;

/**
 * Updates as read → delete → insert of whole documents, keeping every field the spec does not own
 * (lastRunAt, failCount, lockedAt, and nextRunAt unless rescheduled). A crash between the delete and
 * the insert leaves those jobs missing until the next reconcile creates them again.
 */
async function rewrite(db: Db, changes: UpdateChange[], opts: ApplyOptions): Promise<void> {
  const col = jobsCollection(db);
  const firstRun = firstRunAt(opts.now ?? new Date());
  const ids = changes.map((c) => new ObjectId(c.id));
  const current = new Map(
    (await col.find({ _id: { $in: ids } }).toArray()).map((d) => [String(d._id), d] as const),
  );
  const docs = changes.map((c) => {
    const old = current.get(c.id);
    const fields = specFields(c.job, opts.revision);
    if (!old) {
      return { _id: new ObjectId(c.id), ...newJobDocument(c.job, opts.revision), nextRunAt: firstRun(c.job) };
    }
    return {
      ...old,
      ...fields,
      data: { ...old.data, schedsync: fields.data.schedsync },
      nextRunAt: c.rescheduled ? firstRun(c.job) : (old.nextRunAt ?? null),
    };
  });
  await col.bulkWrite(
    [
      { deleteMany: { filter: { _id: { $in: ids } } } },
      ...docs.map((d) => ({ insertOne: { document: d as unknown as JobDocument } })),
    ],
    { ordered: true },
  );
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
