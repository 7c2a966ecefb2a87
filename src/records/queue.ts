// Putting records in line for a destination: one delivery document per (record, destination).
import type { Db } from "mongodb";
import { archivedIds } from "./archive.js";
import { cols, insertNew } from "./collections.js";
import { deliveryId } from "./ids.js";
import type { DeliveryDoc, RecordKind, Scope } from "./types.js";

/**
 * Creates missing deliveries (idempotent); returns the ids of the records newly queued. A delivery
 * in the archive (delivered, past the retention) is not created again unless `again` (the record
 * changed and must be sent again): a re-pulled order is never delivered twice.
 */
export async function enqueue(
  db: Db,
  scope: Scope,
  kind: RecordKind,
  recordIds: string[],
  now = new Date(),
  opts: { again?: boolean } = {},
): Promise<string[]> {
  const docs: DeliveryDoc[] = recordIds.map((recordId) => ({
    _id: deliveryId(recordId, scope.service, scope.cartId),
    recordId,
    kind,
    ...scope,
    state: "pending",
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  }));
  const { deliveries } = cols(db);
  if (opts.again) return (await insertNew(deliveries, docs)).map((d) => d.recordId);
  const archived = await archivedIds(
    db,
    docs.map((d) => d._id),
  );
  const inserted = await insertNew(
    deliveries,
    docs.filter((d) => !archived.has(d._id)),
  );
  if (inserted.length === 0) return [];
  // Archived between the look and the insert (the archiver copies before it deletes, so an insert
  // that succeeded sees the copy now): the new delivery is withdrawn while still pending.
  const late = await archivedIds(
    db,
    inserted.map((d) => d._id),
  );
  if (late.size > 0) await deliveries.deleteMany({ _id: { $in: [...late] }, state: "pending" });
  return inserted.filter((d) => !late.has(d._id)).map((d) => d.recordId);
}

/**
 * The records changed (a newer inventory level): send them again. A delivery in flight is
 * flagged stale so the batch's acknowledgement puts it back to pending instead of delivered.
 */
export async function requeueChanged(
  db: Db,
  scope: Scope,
  kind: RecordKind,
  recordIds: string[],
  now = new Date(),
): Promise<void> {
  if (recordIds.length === 0) return;
  const { deliveries } = cols(db);
  const mine = { ...scope, recordId: { $in: recordIds } };
  await deliveries.updateMany({ ...mine, state: "inflight" }, { $set: { stale: true, updatedAt: now } });
  await deliveries.updateMany(
    { ...mine, state: { $in: ["delivered", "failed", "skipped"] } },
    {
      $set: { state: "pending", attempts: 0, createdAt: now, updatedAt: now },
      $unset: { lastError: "", nextEligibleAt: "", deliveredAt: "" },
    },
  );
  await enqueue(db, scope, kind, recordIds, now, { again: true });
}
