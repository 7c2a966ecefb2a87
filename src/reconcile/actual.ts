// Actual state: the Agenda job documents schedsync owns, normalised to JobSpec. Ownership is the
// data.schedsync.managed marker; documents without it are never read, changed or deleted.
import type { Collection, Db, Document, ObjectId } from "mongodb";
import type { Frequency } from "../config/model.js";
import type { ActualJob, JobService, JobSpec } from "./types.js";

export const JOBS = "agendaJobs";
export const OWNED = { "data.schedsync.managed": true } as const;

/** What apply stores under data.schedsync. */
export interface OwnedData {
  managed: true;
  key: string;
  specHash: string;
  revision: string;
  spec: Omit<JobSpec, "name" | "repeatInterval" | "repeatTimezone" | "disabled">;
}

export interface JobDocument extends Document {
  _id: ObjectId;
  name: string;
  data: { schedsync: OwnedData } & Record<string, unknown>;
  repeatInterval?: string | number | null;
  repeatTimezone?: string | null;
  disabled?: boolean;
  nextRunAt?: Date | null;
  lastRunAt?: Date | null;
}

export function jobsCollection(db: Db): Collection<JobDocument> {
  return db.collection<JobDocument>(JOBS);
}

/**
 * The unique key index makes concurrent writers unable to duplicate a job. It is sparse, so
 * other jobs in the collection (which have no data.schedsync.key) are not affected; FerretDB 1.24
 * has no partial indexes.
 */
export async function ensureJobIndexes(db: Db): Promise<void> {
  await jobsCollection(db).createIndex(
    { "data.schedsync.key": 1 },
    { unique: true, sparse: true, name: "schedsync_key_unique" },
  );
}

/** Rebuilds the spec from what the document holds now: Agenda's own fields win over the copy in data. */
export function actualFromDocument(doc: JobDocument): ActualJob {
  const own = doc.data.schedsync;
  const stored = own.spec ?? ({} as OwnedData["spec"]);
  const spec: JobSpec = {
    key: own.key,
    name: doc.name,
    merchantId: stored.merchantId,
    cartId: stored.cartId ?? null,
    service: stored.service as JobService,
    frequency: stored.frequency,
    schedule: stored.schedule as Frequency,
    timezone: stored.timezone,
    repeatInterval: doc.repeatInterval ?? null,
    repeatTimezone: doc.repeatTimezone ?? null,
    managedNextRun: stored.managedNextRun ?? false,
    disabled: doc.disabled === true,
    connection: stored.connection ?? null,
  };
  return { id: doc._id.toHexString(), key: own.key, storedHash: own.specHash, spec };
}

export async function readActual(db: Db): Promise<ActualJob[]> {
  const docs = await jobsCollection(db)
    .find(OWNED, { projection: { name: 1, data: 1, repeatInterval: 1, repeatTimezone: 1, disabled: 1 } })
    .toArray();
  return docs.map(actualFromDocument);
}
