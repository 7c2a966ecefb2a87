// The one module beside Agenda that reads or writes the jobs collection (JOBS_COLLECTION): the
// owned jobs for the reconciler, the specs for the runtime, counts and next runs for status.
// Documents without the owner mark are never changed or deleted.
import type { Collection, Db, Document, Filter } from "mongodb";
import { ObjectId } from "mongodb";
import { bulkWrite, setByIds } from "../store/writes.js";
import {
  actualFromDocument,
  JOBS_COLLECTION,
  jobIdHex,
  jobName,
  type OwnerMark,
  ownedFilter,
  PATH,
  serviceOfKey,
  specOf,
} from "./document.js";
import { type Pause, pauseCovers, pauseFor } from "./pauses.js";
import { specHash } from "./spec-hash.js";
import type { ActualJob, Change, JobService, JobSpec, PauseMark, UpdateChange } from "./types.js";
import { chunks, firstRunAt, insertsAndDeletes, updateOf } from "./writes.js";

export interface JobDocument extends Document {
  name: string;
  data: { schedsync: OwnerMark } & Record<string, unknown>;
  repeatInterval?: string | number | null;
  repeatTimezone?: string | null;
  disabled?: boolean;
  nextRunAt?: Date | null;
  lastRunAt?: Date | null;
  lastFinishedAt?: Date | null;
  failedAt?: Date | null;
  failReason?: string | null;
}

export function jobsCollection(db: Db): Collection<JobDocument> {
  return db.collection<JobDocument>(JOBS_COLLECTION);
}

/** The fields actualFromDocument reads. */
const ACTUAL_FIELDS = {
  name: 1,
  [PATH.mark]: 1,
  repeatInterval: 1,
  repeatTimezone: 1,
  disabled: 1,
  nextRunAt: 1,
};

/** Every job schedsync owns, normalised (actualFromDocument). */
export async function readOwnedJobs(db: Db): Promise<ActualJob[]> {
  // Streamed, so only the normalised view of each document is held, not the whole result set.
  const cursor = jobsCollection(db).find(ownedFilter(), { projection: ACTUAL_FIELDS });
  const out: ActualJob[] = [];
  for await (const doc of cursor) {
    const job = actualFromDocument(doc);
    if (job) out.push(job);
  }
  return out;
}

/** One owned job by its document's _id (hex), with its nextRunAt; undefined when not owned or gone. */
export async function readOwnedJob(db: Db, id: unknown): Promise<ActualJob | undefined> {
  const doc = await jobsCollection(db).findOne(
    { _id: new ObjectId(String(id)), ...ownedFilter() },
    { projection: ACTUAL_FIELDS },
  );
  return (doc && actualFromDocument(doc)) ?? undefined;
}

export interface WriteOptions {
  /** The commit written into each job's owner mark. */
  revision: string;
  now?: Date;
  /** Called after each chunk (for progress and to renew the lock). */
  onProgress?: (done: number, total: number) => Promise<void> | void;
}

/**
 * Writes a plan's changes in chunks (chunks()); safe to re-run after a crash (the next plan picks up
 * the rest). Returns the number of changes written.
 */
export async function writeChanges(db: Db, changes: readonly Change[], opts: WriteOptions): Promise<number> {
  const firstRun = firstRunAt(opts.now ?? new Date());
  let done = 0;
  // Documents are built a chunk at a time, so a 100k-job apply never holds them all at once.
  for (const chunk of chunks(changes)) {
    await bulkWrite(db, JOBS_COLLECTION, insertsAndDeletes(chunk, opts.revision, firstRun, opts.now), {
      ordered: true,
    });
    const updates = chunk.filter((c): c is UpdateChange => c.action === "update");
    await setByIds(
      db,
      JOBS_COLLECTION,
      updates.map((c) => updateOf(c, opts.revision, firstRun)),
    );
    done += chunk.length;
    await opts.onProgress?.(done, changes.length);
  }
  return changes.length;
}

/**
 * Sets a job's nextRunAt (a job document's _id). With `onlyIf`, only when its nextRunAt is still
 * that value (null: not armed; a Date: not moved by someone else), so a concurrent writer wins.
 * Returns whether the document was changed.
 */
/**
 * Clears Agenda's lock of these jobs (ids) where the worker named owner (Agenda's
 * lastModifiedBy) still holds it. One update by _id each; a store error leaves a lock to expire.
 */
export async function releaseLocks(db: Db, ids: string[], owner: string): Promise<void> {
  for (const id of ids) {
    await db
      .collection(JOBS_COLLECTION)
      .updateOne(
        { _id: new ObjectId(id), lastModifiedBy: owner, lockedAt: { $ne: null } },
        { $set: { lockedAt: null } },
      )
      .catch(() => {});
  }
}

export async function setNextRun(
  db: Db,
  id: unknown,
  next: Date | null,
  opts: { onlyIf?: Date | null; onlyIfLater?: boolean } = {},
): Promise<boolean> {
  const filter: Filter<Document> = { _id: new ObjectId(String(id)) };
  if (opts.onlyIf !== undefined) filter.nextRunAt = opts.onlyIf;
  if (opts.onlyIfLater && next) filter.nextRunAt = { $gt: next };
  const r = await db.collection(JOBS_COLLECTION).updateOne(filter, { $set: { nextRunAt: next } });
  return r.modifiedCount === 1;
}

/**
 * Records a run of a key made outside its scheduled job (a trigger, `schedsync run`) on that job's
 * document, in Agenda's own fields (lastRunAt, lastFinishedAt; failedAt and failReason when it
 * failed), so status shows it. A run started before the stored lastRunAt does not move it back.
 */
export async function recordJobRun(
  db: Db,
  key: string,
  run: { startedAt: Date; finishedAt: Date; error?: string },
): Promise<void> {
  const $set: Record<string, unknown> = { lastRunAt: run.startedAt, lastFinishedAt: run.finishedAt };
  if (run.error !== undefined) Object.assign($set, { failedAt: run.finishedAt, failReason: run.error });
  await jobsCollection(db).updateOne(
    {
      _id: new ObjectId(jobIdHex(key)),
      ...ownedFilter(),
      name: jobName(serviceOfKey(key)),
      [PATH.key]: key,
      $or: [{ lastRunAt: null }, { lastRunAt: { $lte: run.startedAt } }],
    },
    { $set },
  );
}

/** Managed-next-run jobs that are enabled but have no next run (a crash between two writes). */
export async function unarmedManagedJobs(db: Db): Promise<{ id: unknown; spec: JobSpec }[]> {
  const docs = await jobsCollection(db)
    .find({ ...ownedFilter(), [PATH.managedNextRun]: true, disabled: { $ne: true }, nextRunAt: null })
    .toArray();
  return docs.flatMap((doc) => {
    const spec = specOf(doc);
    return spec ? [{ id: doc._id, spec }] : [];
  });
}

/**
 * The spec of the job with this key (undefined when schedsync owns no such job). Looked up by its
 * _id (derived from the key, jobIdHex): an index lookup on any store, where the key alone is not.
 */
export async function loadSpec(db: Db, key: string): Promise<JobSpec | undefined> {
  const doc = await jobsCollection(db).findOne({
    _id: new ObjectId(jobIdHex(key)),
    ...ownedFilter(),
    name: jobName(serviceOfKey(key)),
    [PATH.key]: key,
  });
  return doc ? specOf(doc) : undefined;
}

/** The specs of a merchant's (without merchantId: every merchant's) jobs of the given services, by key. */
export async function findSpecs(
  db: Db,
  q: { merchantId?: string; service: JobService | JobService[]; automaticOnly?: boolean },
): Promise<JobSpec[]> {
  const names = (Array.isArray(q.service) ? q.service : [q.service]).map(jobName);
  const filter: Filter<JobDocument> = { ...ownedFilter(), name: { $in: names } };
  if (q.merchantId !== undefined) filter[PATH.merchantId] = q.merchantId;
  if (q.automaticOnly) filter[PATH.scheduleKind] = "automatic";
  const docs = await jobsCollection(db)
    .find(filter)
    .sort({ [PATH.key]: 1 })
    .toArray();
  return docs.map(specOf).filter((s): s is JobSpec => !!s);
}

/**
 * The indexes findSpecs and the triggers' unique lookups use; `{name, lockedAt}` for the
 * stale-lock half of Agenda's lock query (`lockedAt <= deadline`), which Agenda's own index (name,
 * nextRunAt, priority, lockedAt, disabled) does not serve: on the embedded store that half read
 * every job of the name (docs/store.md, "Filter pushdown and value indexes"); and the written
 * `disabled` flag for the resume sweep, which read every job every 30 s per worker before (2.2 s on
 * 5,200 jobs, 4.5 ms with it).
 */
export async function ensureJobIndexes(db: Db): Promise<void> {
  const jobs = jobsCollection(db);
  await jobs.createIndex({ name: 1, [PATH.merchantId]: 1 });
  await jobs.createIndex({ name: 1, [PATH.triggerKey]: 1, [PATH.triggerGen]: 1 });
  await jobs.createIndex({ name: 1, lockedAt: 1 });
  await jobs.createIndex({ [PATH.writtenDisabled]: 1 });
}

/** One owned job as `schedsync status` shows it. */
export interface OwnedJobRuns {
  key: string;
  spec: Pick<OwnerMark["spec"], "schedule">;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastFinishedAt: Date | null;
  failedAt: Date | null;
  disabled: boolean;
  /** The normalised job (suspension, pause, written fields for hand edits). */
  job: ActualJob | null;
}

/** The owned jobs (of one merchant when given) with their run times, unsorted. */
export async function readOwnedJobRuns(db: Db, opts: { merchant?: string } = {}): Promise<OwnedJobRuns[]> {
  const filter = opts.merchant ? { ...ownedFilter(), [PATH.merchantId]: opts.merchant } : ownedFilter();
  const docs = await jobsCollection(db)
    .find(filter, {
      projection: {
        name: 1,
        [PATH.mark]: 1,
        repeatInterval: 1,
        repeatTimezone: 1,
        nextRunAt: 1,
        lastRunAt: 1,
        lastFinishedAt: 1,
        failedAt: 1,
        disabled: 1,
      },
    })
    .toArray();
  return docs.map((d) => ({
    key: d.data.schedsync.key,
    spec: { schedule: d.data.schedsync.spec.schedule },
    nextRunAt: d.nextRunAt ?? null,
    lastRunAt: d.lastRunAt ?? null,
    lastFinishedAt: d.lastFinishedAt ?? null,
    failedAt: d.failedAt ?? null,
    disabled: d.disabled === true,
    job: actualFromDocument(d),
  }));
}

export interface JobCounts {
  scheduled: number;
  disabled: number;
  running: number;
  failed: number;
}

/** Every Agenda job (schedsync's and others') by state, for /metrics and the status page. */
export async function countJobs(db: Db): Promise<JobCounts> {
  const col = db.collection(JOBS_COLLECTION);
  const [scheduled, disabled, running, failedDocs] = await Promise.all([
    col.countDocuments({ disabled: { $ne: true }, nextRunAt: { $ne: null } }),
    col.countDocuments({ disabled: true }),
    col.countDocuments({ lockedAt: { $ne: null } }),
    col.find({ failedAt: { $ne: null } }, { projection: { failedAt: 1, lastFinishedAt: 1 } }).toArray(),
  ]);
  // A job is failed when its last finished run is the failed one.
  const failed = failedDocs.filter((d) => {
    const f = d.failedAt instanceof Date ? d.failedAt.getTime() : 0;
    const l = d.lastFinishedAt instanceof Date ? d.lastFinishedAt.getTime() : 0;
    return f >= l;
  }).length;
  return { scheduled, disabled, running, failed };
}

export interface NextRun {
  name: string;
  nextRunAt: Date;
  merchantId?: string;
  cartId?: string;
  service?: string;
}

/** The `limit` soonest runs of enabled Agenda jobs, soonest first. */
export async function upcomingJobRuns(db: Db, limit = 15): Promise<NextRun[]> {
  const docs = await db
    .collection(JOBS_COLLECTION)
    .find(
      { disabled: { $ne: true }, nextRunAt: { $ne: null } },
      { projection: { name: 1, nextRunAt: 1, data: 1 } },
    )
    .sort({ nextRunAt: 1 })
    .limit(limit)
    .toArray();
  return docs.map((d) => ({
    name: String(d.name),
    nextRunAt: d.nextRunAt as Date,
    // schedsync's jobs keep their spec in the owner mark; other jobs may carry these in data.
    merchantId: str(d.data?.schedsync?.spec?.merchantId ?? d.data?.merchantId),
    cartId: str(d.data?.schedsync?.spec?.cartId ?? d.data?.cartId),
    service: str(d.data?.schedsync?.spec?.service ?? d.data?.service),
  }));
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v);
}

/** The owned jobs of a merchant that `target` holds, normalised (pause: the `schedsync pause` target). */
async function jobsUnder(db: Db, target: string, filter: Filter<JobDocument> = {}) {
  const merchantId = target.split("/")[0] ?? target;
  const docs = await jobsCollection(db)
    .find({ ...ownedFilter(), [PATH.merchantId]: merchantId, ...filter })
    .toArray();
  return docs.flatMap((d) => {
    const job = actualFromDocument(d);
    return job && pauseCovers(target, job.key) ? [{ doc: d, job }] : [];
  });
}

/** The keys of the owned jobs `target` names (empty: it names none). */
export async function keysUnder(db: Db, target: string): Promise<string[]> {
  return (await jobsUnder(db, target)).map((j) => j.job.key).sort();
}

/**
 * Holds the jobs `pause.target` names: `disabled: true`, the pause kept on each (data.schedsync.pause)
 * with the `disabled` it had. Jobs already held by another pause keep that one. Returns the keys held now.
 */
export async function pauseJobs(db: Db, pause: Pause): Promise<string[]> {
  const found = await jobsUnder(db, pause.target);
  const fresh = found.filter((f) => !f.job.pause);
  await setByIds(
    db,
    JOBS_COLLECTION,
    fresh.map(({ doc, job }) => {
      const mark: PauseMark = { ...pause, disabledBefore: job.spec.disabled };
      return { _id: doc._id as ObjectId, $set: { disabled: true, [PATH.pause]: mark } };
    }),
  );
  return found.map((f) => f.job.key).sort();
}

/**
 * Lets go of the jobs held by `target`'s pause: each goes to the narrowest of `remaining` that still
 * covers it, else gets its `disabled` back (and, enabled again, a next run from `now`, never a
 * catch-up run). Returns the keys released.
 */
export async function releaseJobs(
  db: Db,
  target: string,
  remaining: readonly Pause[],
  now: Date,
): Promise<string[]> {
  const held = await jobsUnder(db, target, { [PATH.pauseTarget]: target } as Filter<JobDocument>);
  const firstRun = firstRunAt(now);
  const released: string[] = [];
  const sets = held.map(({ doc, job }) => {
    const before = job.pause?.disabledBefore ?? false;
    const other = pauseFor(remaining, job.key);
    if (other)
      return { _id: doc._id as ObjectId, $set: { [PATH.pause]: { ...other, disabledBefore: before } } };
    released.push(job.key);
    const $set: Record<string, unknown> = { disabled: before, [PATH.pause]: null };
    if (!before) $set.nextRunAt = firstRun(job.spec);
    return { _id: doc._id as ObjectId, $set };
  });
  await setByIds(db, JOBS_COLLECTION, sets);
  return released.sort();
}

/**
 * Ends the YAML suspensions whose `until` is at or before `now`: the job is written as the same YAML
 * without the suspension would be (enabled, a next run from `now`, hash and written fields to match),
 * so the next reconcile finds it in sync. A paused job stays held (its pause gets `disabled: false` to
 * restore). Returns the keys resumed.
 */
export async function resumeSuspended(db: Db, now: Date): Promise<string[]> {
  // A suspended job is always written disabled (`written` came with suspensions): that condition is
  // searched on its index (a string range is not, on the embedded store), so the sweep reads the
  // disabled jobs, not every job.
  const docs = await jobsCollection(db)
    .find({
      ...ownedFilter(),
      [PATH.writtenDisabled]: true,
      [PATH.suspendedUntil]: { $lte: now.toISOString() },
    } as Filter<JobDocument>)
    .toArray();
  const firstRun = firstRunAt(now);
  const keys: string[] = [];
  const sets = docs.flatMap((doc) => {
    const job = actualFromDocument(doc);
    if (!job) return [];
    keys.push(job.key);
    const spec: JobSpec = { ...job.spec, disabled: false };
    delete spec.suspended;
    const $set: Record<string, unknown> = {
      [PATH.suspended]: null,
      [PATH.specHash]: specHash(spec),
      [`${PATH.written}.disabled`]: false,
    };
    if (job.pause) $set[`${PATH.pause}.disabledBefore`] = false;
    else Object.assign($set, { disabled: false, nextRunAt: firstRun(spec) });
    return [{ _id: doc._id as ObjectId, $set }];
  });
  await setByIds(db, JOBS_COLLECTION, sets);
  return keys.sort();
}
