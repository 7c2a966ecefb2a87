// Retention: delivered deliveries leave the hot collection for an archive after a retention, so
// the queries of the push path (claims, batches, counts) read only live work. On FerretDB 1.24
// every filter other than by `_id` may decode the whole collection (docs/store.md, "Filter
// pushdown and value indexes"), and it has no TTL indexes (they came with FerretDB 2.0), hence a periodic move.
// The archived delivery is the record's memory that it was delivered: enqueue skips its id, so a
// re-pulled order or shipment is never queued, and delivered, a second time.
import type { Db } from "mongodb";
import { cols, insertNew } from "./collections.js";
import type { DeliveryDoc } from "./types.js";

/** Deliveries moved per chunk: one find, one insert and two deletes of at most this many. */
export const ARCHIVE_CHUNK = 500;

export interface ArchiveOptions {
  /** Chunks per call; a call stops after them and the next one goes on (default 20). */
  maxChunks?: number;
  chunk?: number;
}

/**
 * Moves deliveries delivered before `before` to the archive in chunks (in the store's order: a sort
 * would make each chunk sort the whole backlog on FerretDB); returns how
 * many moved. Idempotent and safe beside runs and other archivers: a copy is written before the
 * hot one is deleted, and only a delivery still delivered (not resent meanwhile) is deleted.
 */
export async function archiveDelivered(db: Db, before: Date, opts: ArchiveOptions = {}): Promise<number> {
  const { deliveries, archive } = cols(db);
  const chunk = opts.chunk ?? ARCHIVE_CHUNK;
  let moved = 0;
  for (let i = 0; i < (opts.maxChunks ?? 20); i++) {
    const docs = await deliveries
      .find({ state: "delivered", deliveredAt: { $lt: before } })
      .limit(chunk)
      .toArray();
    if (docs.length === 0) break;
    const ids = docs.map((d) => d._id);
    // An older copy of the same delivery (a changed inventory level delivered again) is replaced.
    await archive.deleteMany({ _id: { $in: ids } });
    await archive.insertMany(docs, { ordered: false });
    const r = await deliveries.deleteMany({ _id: { $in: ids }, state: "delivered" });
    moved += r.deletedCount;
    if (docs.length < chunk) break;
  }
  return moved;
}

/** The ids among `ids` whose delivery is archived (delivered and moved out of the hot path). */
export async function archivedIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += ARCHIVE_CHUNK) {
    const slice = ids.slice(i, i + ARCHIVE_CHUNK);
    const found = await cols(db)
      .archive.find({ _id: { $in: slice } }, { projection: { _id: 1 } })
      .toArray();
    for (const d of found) out.add(d._id);
  }
  return out;
}

/** Archived deliveries put back in the hot collection as given (resend); removed from the archive. */
export async function restoreArchived(db: Db, docs: DeliveryDoc[]): Promise<void> {
  if (docs.length === 0) return;
  const { deliveries, archive } = cols(db);
  // A delivery of the same id already back in the hot collection (queued again) is kept.
  await insertNew(deliveries, docs);
  await archive.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
}
