// Claiming a batch of deliveries for one scope. Each delivery moves to inflight by a conditional
// update, so two claimers never get the same record. A batch whose lease expired (its worker
// died) is taken over whole, with the same id, so the receiver sees the same Idempotency-Key.
import { randomUUID } from "node:crypto";
import type { Db } from "mongodb";
import { cols } from "./collections.js";
import { applyResult } from "./results.js";
import {
  type BatchDoc,
  type BatchItem,
  DEFAULT_RETRY_POLICY,
  type RecordDoc,
  type RetryPolicy,
  type Scope,
} from "./types.js";

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  max: number;
  /** Failed records attempted at or after this time are not retried (not within the same run). */
  runStartedAt: Date;
  policy?: RetryPolicy;
  now?: Date;
}

export type ClaimedBatch = BatchDoc & { items: BatchItem[] };

export class LostBatchError extends Error {
  constructor(batchId: string) {
    super(`lost the lease on batch ${batchId}`);
    this.name = "LostBatchError";
  }
}

export async function claimBatch(
  db: Db,
  scope: Scope,
  opts: ClaimOptions,
): Promise<ClaimedBatch | undefined> {
  return (await takeOverExpired(db, scope, opts)) ?? (await claimNew(db, scope, opts));
}

/** Takes over one batch of the scope whose lease expired (its worker died), whole, with its id. */
export async function takeOverExpired(
  db: Db,
  scope: Scope,
  opts: ClaimOptions,
): Promise<ClaimedBatch | undefined> {
  const { batches } = cols(db);
  for (;;) {
    const now = opts.now ?? new Date();
    const expired = await batches
      .find({ ...scope, until: { $lt: now } })
      .limit(1)
      .toArray();
    const stale = expired[0];
    if (!stale) return undefined;
    // One winner: the update only matches while the lease is still expired.
    const r = await batches.updateOne(
      { _id: stale._id, until: { $lt: now } },
      { $set: { owner: opts.owner, until: new Date(now.getTime() + opts.leaseMs) }, $inc: { takes: 1 } },
    );
    if (r.modifiedCount !== 1) continue;
    const batch = await batches.findOne({ _id: stale._id });
    if (!batch) continue;
    if (batch.result) {
      // The previous owner had the answer but died before recording it per record.
      await applyResult(db, batch, batch.result, opts.policy ?? DEFAULT_RETRY_POLICY, now);
      await batches.deleteOne({ _id: batch._id });
      continue;
    }
    const items = batch.items ?? (await loadItems(db, batch._id));
    if (items.length === 0) {
      await batches.deleteOne({ _id: batch._id });
      continue;
    }
    if (!batch.items) await batches.updateOne({ _id: batch._id }, { $set: { items } });
    return { ...batch, items };
  }
}

async function claimNew(db: Db, scope: Scope, opts: ClaimOptions): Promise<ClaimedBatch | undefined> {
  const { deliveries, batches } = cols(db);
  const now = opts.now ?? new Date();
  const candidates = await deliveries
    .find(
      {
        ...scope,
        $or: [
          { state: "pending" },
          { state: "failed", nextEligibleAt: { $lte: now }, lastAttemptAt: { $lt: opts.runStartedAt } },
        ],
      },
      { projection: { _id: 1 } },
    )
    .sort({ createdAt: 1 })
    .limit(opts.max)
    .toArray();
  if (candidates.length === 0) return undefined;
  const batchId = randomUUID();
  // The lease exists before any delivery points at it, so an inflight delivery always has one.
  const batch: BatchDoc = {
    _id: batchId,
    ...scope,
    owner: opts.owner,
    until: new Date(now.getTime() + opts.leaseMs),
    takes: 1,
    createdAt: now,
  };
  await batches.insertOne(batch);
  await deliveries.updateMany(
    { _id: { $in: candidates.map((c) => c._id) }, state: { $in: ["pending", "failed"] } },
    { $set: { state: "inflight", batchId, updatedAt: now } },
  );
  const items = await loadItems(db, batchId);
  if (items.length === 0) {
    await batches.deleteOne({ _id: batchId });
    return undefined;
  }
  await batches.updateOne({ _id: batchId }, { $set: { items } });
  return { ...batch, items };
}

/** The records of a batch's inflight deliveries, read once and frozen into the batch. */
async function loadItems(db: Db, batchId: string): Promise<BatchItem[]> {
  const c = cols(db);
  const ds = await c.deliveries
    .find({ batchId, state: "inflight" }, { projection: { recordId: 1, kind: 1, createdAt: 1 } })
    .sort({ createdAt: 1 })
    .toArray();
  const byId = new Map<string, RecordDoc>();
  const ofKind = (k: string) => ds.filter((d) => d.kind === k).map((d) => d.recordId);
  for (const r of await c.orders.find({ _id: { $in: ofKind("order") } }).toArray()) byId.set(r._id, r);
  for (const r of await c.shipments.find({ _id: { $in: ofKind("shipment") } }).toArray()) byId.set(r._id, r);
  for (const r of await c.inventory.find({ _id: { $in: ofKind("inventory") } }).toArray()) byId.set(r._id, r);
  const items: BatchItem[] = [];
  for (const d of ds) {
    const record = byId.get(d.recordId);
    if (record) items.push({ deliveryId: d._id, recordId: d.recordId, record, queuedAt: d.createdAt });
  }
  return items;
}

/** Extends a batch's lease while it is being sent; throws LostBatchError if another worker took it. */
export async function renewBatch(db: Db, batch: BatchDoc, leaseMs: number): Promise<void> {
  const r = await cols(db).batches.updateOne(
    { _id: batch._id, owner: batch.owner },
    { $set: { until: new Date(Date.now() + leaseMs) } },
  );
  if (r.matchedCount !== 1) throw new LostBatchError(batch._id);
}

/** Gives a batch back unsent (graceful shutdown): its deliveries return to their previous queue. */
export async function releaseBatch(db: Db, batch: BatchDoc): Promise<void> {
  const c = cols(db);
  const r = await c.batches.deleteOne({ _id: batch._id, owner: batch.owner });
  if (r.deletedCount !== 1) return;
  await c.deliveries.updateMany(
    { batchId: batch._id, state: "inflight" },
    { $set: { state: "pending", updatedAt: new Date() }, $unset: { batchId: "" } },
  );
}
