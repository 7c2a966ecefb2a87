// The runtime reads its configuration from the jobs the reconciler writes (layout in
// docs/reconcile.md: data.schedsync = { managed, key, spec }); triggered Automatic runs are
// separate one-off jobs named TRIGGER_JOB that carry only the key.
import { type Db, type Filter, ObjectId } from "mongodb";
import { actualFromDocument, jobIdHex, ownedFilter } from "../reconcile/document.js";
import type { JobService, JobSpec } from "../reconcile/types.js";

export const JOBS = "agendaJobs";
export const JOB_PREFIX = "schedsync:";
/** One-off runs of an Automatic service, one per window however many triggers; data { key, gen }. */
export const TRIGGER_JOB = "schedsync-trigger";

export type ServiceSpec = JobSpec;

type JobDoc = Record<string, unknown>;

export function serviceOfKey(key: string): JobService {
  return key.slice(key.lastIndexOf("/") + 1) as JobService;
}

/** The spec of a managed job document (undefined for anything schedsync does not own). */
export function specOf(doc: JobDoc): ServiceSpec | undefined {
  return actualFromDocument(doc)?.spec;
}

/** The managed job of a key, found by its _id (derived from the key: jobIdHex), an index lookup. */
export async function loadSpec(db: Db, key: string): Promise<ServiceSpec | undefined> {
  const doc = await db.collection<JobDoc>(JOBS).findOne({
    _id: new ObjectId(jobIdHex(key)),
    ...ownedFilter(),
    name: `${JOB_PREFIX}${serviceOfKey(key)}`,
    "data.schedsync.key": key,
  });
  return doc ? specOf(doc) : undefined;
}

export async function findSpecs(
  db: Db,
  q: { merchantId: string; service: JobService | JobService[]; automaticOnly?: boolean },
): Promise<ServiceSpec[]> {
  const names = (Array.isArray(q.service) ? q.service : [q.service]).map((s) => `${JOB_PREFIX}${s}`);
  const filter: Filter<JobDoc> = {
    ...ownedFilter(),
    name: { $in: names },
    "data.schedsync.spec.merchantId": q.merchantId,
  };
  if (q.automaticOnly) filter["data.schedsync.spec.schedule.kind"] = "automatic";
  const docs = await db.collection<JobDoc>(JOBS).find(filter).sort({ "data.schedsync.key": 1 }).toArray();
  return docs.map(specOf).filter((s): s is ServiceSpec => !!s);
}

export async function ensureJobIndexes(db: Db): Promise<void> {
  const jobs = db.collection(JOBS);
  await jobs.createIndex({ name: 1, "data.schedsync.spec.merchantId": 1 });
  await jobs.createIndex({ name: 1, "data.key": 1, "data.gen": 1 });
}
