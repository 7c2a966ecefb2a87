// The runtime reads its configuration from the jobs the reconciler writes (data.schedsync, see
// docs/reconcile.md); triggered Automatic runs are separate one-off jobs named TRIGGER_JOB.
import type { Db, Filter } from "mongodb";
import type { JobService, JobSpec } from "../reconcile/types.js";

export const JOBS = "agendaJobs";
export const JOB_PREFIX = "schedsync:";
/** One-off, debounced runs of an Automatic service; data { key, gen }. */
export const TRIGGER_JOB = "schedsync-trigger";

export type ServiceSpec = JobSpec;

interface JobDoc {
  name: string;
  disabled?: boolean | null;
  data?: { schedsync?: JobSpec };
}

export function serviceOfKey(key: string): JobService {
  return key.slice(key.lastIndexOf("/") + 1) as JobService;
}

function toSpec(doc: JobDoc | null): ServiceSpec | undefined {
  const spec = doc?.data?.schedsync;
  if (!spec) return undefined;
  return { ...spec, disabled: spec.disabled || doc?.disabled === true };
}

export async function loadSpec(db: Db, key: string): Promise<ServiceSpec | undefined> {
  const doc = await db
    .collection<JobDoc>(JOBS)
    .findOne({ name: `${JOB_PREFIX}${serviceOfKey(key)}`, "data.schedsync.key": key });
  return toSpec(doc);
}

export async function findSpecs(
  db: Db,
  q: { merchantId: string; service: JobService; cartId?: string | null },
): Promise<ServiceSpec[]> {
  const filter: Filter<JobDoc> = {
    name: `${JOB_PREFIX}${q.service}`,
    "data.schedsync.merchantId": q.merchantId,
  };
  if (q.cartId !== undefined) filter["data.schedsync.cartId"] = q.cartId;
  const docs = await db.collection<JobDoc>(JOBS).find(filter).toArray();
  return docs.map(toSpec).filter((s): s is ServiceSpec => !!s);
}

export async function ensureJobIndexes(db: Db): Promise<void> {
  const jobs = db.collection(JOBS);
  await jobs.createIndex({ name: 1, "data.schedsync.key": 1 });
  await jobs.createIndex({ name: 1, "data.schedsync.merchantId": 1 });
  await jobs.createIndex({ name: 1, "data.key": 1, "data.gen": 1 });
}
