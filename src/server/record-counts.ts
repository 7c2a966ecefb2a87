// Record counts for /metrics and the status page. Jobs are counted by src/jobs/repository.ts.
// Every reader tolerates a missing collection.
import type { Db, Document } from "mongodb";
import { DELIVERIES } from "../records/collections.js";

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

/** Deliveries (one per record and destination) by record kind, delivery state and merchant. */
export function recordsCounter(): RecordsCounter {
  return groupedRecords(DELIVERIES);
}

/** Counts summed over merchants, as the schedsync_records gauge's series ({ kind, state }). */
export function recordGauge(
  rows: RecordCount[],
): { labels: { kind: string; state: string }; value: number }[] {
  const sums = new Map<string, { labels: { kind: string; state: string }; value: number }>();
  for (const r of rows) {
    const k = `${r.kind}\0${r.state}`;
    const cur = sums.get(k) ?? { labels: { kind: r.kind, state: r.state }, value: 0 };
    cur.value += r.count;
    sums.set(k, cur);
  }
  return [...sums.values()];
}
