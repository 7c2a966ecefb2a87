// Actual state: the Agenda job documents schedsync owns (data.schedsync.managed), normalised by
// actualFromDocument(). Documents without the marker are never read, changed or deleted.
import type { Collection, Db, Document } from "mongodb";
import { actualFromDocument, JOBS_COLLECTION, type OwnerMark, ownedFilter } from "./document.js";
import type { ActualJob } from "./types.js";

export const OWNED = ownedFilter();

export interface JobDocument extends Document {
  name: string;
  data: { schedsync: OwnerMark } & Record<string, unknown>;
  repeatInterval?: string | number | null;
  repeatTimezone?: string | null;
  disabled?: boolean;
  nextRunAt?: Date | null;
  lastRunAt?: Date | null;
}

export function jobsCollection(db: Db): Collection<JobDocument> {
  return db.collection<JobDocument>(JOBS_COLLECTION);
}

export async function readActual(db: Db): Promise<ActualJob[]> {
  // Streamed, so only the normalised view of each document is held, not the whole result set.
  const cursor = jobsCollection(db).find(OWNED, {
    projection: { name: 1, "data.schedsync": 1, repeatInterval: 1, repeatTimezone: 1, disabled: 1 },
  });
  const out: ActualJob[] = [];
  for await (const doc of cursor) {
    const job = actualFromDocument(doc);
    if (job) out.push(job);
  }
  return out;
}
