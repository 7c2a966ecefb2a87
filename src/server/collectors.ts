// Reads what /metrics and the status page show from the database: Agenda jobs by state, records
// by delivery state, and the next runs. Every reader tolerates a missing collection.
import type { Db, Document } from "mongodb";

export const JOBS_COLLECTION = "agendaJobs";

export interface JobCounts {
  scheduled: number;
  disabled: number;
  running: number;
  failed: number;
}

export async function countJobs(db: Db, collection = JOBS_COLLECTION): Promise<JobCounts> {
  const col = db.collection(collection);
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
  service?: string;
}

export async function nextRuns(db: Db, limit = 15, collection = JOBS_COLLECTION): Promise<NextRun[]> {
  const docs = await db
    .collection(collection)
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
    // schedsync's jobs keep their spec under data.schedsync.spec (src/reconcile/actual.ts).
    merchantId: str(d.data?.schedsync?.spec?.merchantId ?? d.data?.merchantId),
    service: str(d.data?.schedsync?.spec?.service ?? d.data?.service),
  }));
}

export interface RecordCount {
  kind: string;
  state: string;
  merchantId: string;
  count: number;
}

/** Counts of records by kind, state and merchant; supplied by the records stage when present. */
export type RecordsCounter = (db: Db) => Promise<RecordCount[]>;

/**
 * A fallback for stores whose records live in one collection with `kind`, `state` and
 * `merchantId` fields. Returns nothing when the collection does not exist.
 */
export function groupedRecords(collection: string): RecordsCounter {
  return async (db) => {
    const exists = await db.listCollections({ name: collection }, { nameOnly: true }).hasNext();
    if (!exists) return [];
    const rows = await db
      .collection(collection)
      .aggregate<Document>([
        {
          $group: { _id: { kind: "$kind", state: "$state", merchantId: "$merchantId" }, count: { $sum: 1 } },
        },
      ])
      .toArray();
    return rows.map((r) => ({
      kind: str(r._id?.kind) ?? "unknown",
      state: str(r._id?.state) ?? "unknown",
      merchantId: str(r._id?.merchantId) ?? "unknown",
      count: Number(r.count) || 0,
    }));
  };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v);
}
