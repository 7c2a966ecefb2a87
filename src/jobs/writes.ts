// The writes a plan's changes make, built without touching the store (repository.ts sends them).
// Only changed jobs are written, and an update sets only spec fields, so nextRunAt, lastRunAt,
// locks and failure counts survive unless the run times themselves changed.
import type { AnyBulkWriteOperation, Document } from "mongodb";
import { ObjectId } from "mongodb";
import { nextAllowed } from "../schedule/blackout.js";
import { nextRunsAt } from "../schedule/next-runs.js";
import type { SetById } from "../store/writes.js";
import { jobIdHex, newJobDocument, ownerMark, PATH, specFields } from "./document.js";
import type { Change, DesiredJob, JobSpec, UpdateChange } from "./types.js";

const CHUNK = 1_000;
/**
 * Updates per chunk: an update costs FerretDB 1.24 a scan of the collection, so the lease is
 * renewed (onProgress) at least every 50 updates.
 */
const UPDATE_CHUNK = 50;

/**
 * The first run of a job created or rescheduled at `now`; null for automatic (no timer). Cached per
 * (frequency, timezone): thousands of jobs share a handful of schedules and cron parsing is costly.
 * A run due inside a blackout window is moved to the window's end (schedule/blackout.ts).
 */
export function firstRunAt(now: Date): (job: JobSpec) => Date | null {
  const next = nextRunsAt(now);
  return (job) => {
    if (job.repeatInterval === null && !job.managedNextRun) return null;
    // A plain interval (`every` that is not a cron) starts now, as Agenda starts a new interval job.
    const at = typeof job.repeatInterval === "number" ? now : next(job.schedule, job.timezone);
    return at && job.blackout ? nextAllowed(job.blackout, job.timezone, at) : at;
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

/** The `$set` of an update: every spec field, and nextRunAt when the run times changed. */
export function updateOf(
  change: UpdateChange,
  revision: string,
  firstRun: (job: DesiredJob) => Date | null,
): SetById {
  const $set: Record<string, unknown> = specFields(change.job, revision);
  delete $set.data;
  $set[PATH.mark] = ownerMark(change.job, revision);
  if (change.rescheduled) $set.nextRunAt = firstRun(change.job);
  return { ...byId(change.id), $set };
}

/** Inserts and deletes for the creates and deletes among changes (updates: updateOf). */
export function insertsAndDeletes(
  changes: readonly Change[],
  revision: string,
  firstRun: (job: DesiredJob) => Date | null,
  now = new Date(),
): AnyBulkWriteOperation<Document>[] {
  const ops: AnyBulkWriteOperation<Document>[] = [];
  for (const change of changes) {
    if (change.action === "delete") {
      ops.push({ deleteOne: { filter: byId(change.id) } });
    } else if (change.action === "create") {
      const job = change.job;
      // The _id derives from the key, so two writers can never create two jobs for one key.
      const fields = newJobDocument(job, revision);
      // A job created under a paused merchant or cart is created held by that pause.
      const held = change.pause && {
        disabled: true,
        data: { schedsync: { ...fields.data.schedsync, pause: change.pause } },
      };
      const document = {
        _id: new ObjectId(jobIdHex(job.key)),
        ...fields,
        ...held,
        nextRunAt: firstRun(job),
        lockedAt: null,
        // The reference for freshness until its first success (health.ts staleAt).
        [PATH.health]: { since: now },
      };
      ops.push({ insertOne: { document } });
    }
  }
  return ops;
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
