// Putting records in line for a destination: one delivery document per (record, destination).
import type { Db } from "mongodb";
import { cols, insertNew } from "./collections.js";
import { deliveryId } from "./ids.js";
import type { DeliveryDoc, RecordKind, Scope } from "./types.js";

/** Creates missing deliveries (idempotent); returns the ids of the records newly queued. */
export async function enqueue(
  db: Db,
  scope: Scope,
  kind: RecordKind,
  recordIds: string[],
  now = new Date(),
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
  const inserted = await insertNew(cols(db).deliveries, docs);
  return inserted.map((d) => d.recordId);
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
  await enqueue(db, scope, kind, recordIds, now);
}
