// Claiming a batch of deliveries for one scope. Each delivery moves to inflight by a conditional
// update, so two claimers never get the same record. A batch whose lease expired (its worker
// died) is taken over whole, with the same id, so the receiver sees the same Idempotency-Key.
import { randomUUID } from "node:crypto";
import type { Collection, Db, Filter } from "mongodb";
import { cols } from "./collections.js";
import { applyResult } from "./results.js";
import {
  type BatchDoc,
  type BatchItem,
  DEFAULT_RETRY_POLICY,
  type DeliveryDoc,
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
  /** Look for an expired batch of the scope first (default true; a run checks on its first claim). */
  takeOver?: boolean;
  /** Candidates read ahead for the next claims of the same run (see Lookahead). */
  ahead?: Lookahead;
}

/**
 * Candidates a run read ahead with their records, oldest first: a run claims batch after batch
 * of one scope, so one find of candidates and one of records serve several small batches. Only
 * for orders and shipments, whose records never change once stored (an inventory level does).
 * A candidate another claimer took meanwhile simply does not move (the claim is conditional).
 */
export interface Lookahead {
  items: BatchItem[];
}

/** How many candidates a claim reads ahead (at least its batch size). */
export const LOOKAHEAD = 100;

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
  const taken = opts.takeOver === false ? undefined : await takeOverExpired(db, scope, opts);
  return taken ?? (await claimNew(db, scope, opts));
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
    const items = await itemsToResend(db, batch);
    if (items.length === 0) {
      await batches.deleteOne({ _id: batch._id });
      continue;
    }
    if (items !== batch.items) await batches.updateOne({ _id: batch._id }, { $set: { items } });
    return { ...batch, items };
  }
}

async function claimNew(db: Db, scope: Scope, opts: ClaimOptions): Promise<ClaimedBatch | undefined> {
  const { deliveries, batches } = cols(db);
  const now = opts.now ?? new Date();
  const ahead = scope.service === "inventoryUpload" ? undefined : opts.ahead;
  const cached = ahead !== undefined && ahead.items.length > 0;
  if (ahead && ahead.items.length === 0) ahead.items = await findCandidates(db, scope, opts, now, LOOKAHEAD);
  const candidates = ahead
    ? ahead.items.splice(0, opts.max)
    : await findCandidates(db, scope, opts, now, opts.max);
  if (candidates.length === 0) return undefined;
  const batchId = randomUUID();
  // The lease exists before any delivery points at it, so an inflight delivery always has one. It
  // carries the candidates as its items: when every candidate moves (the usual case, one run per
  // scope holds the run lease) that is the batch, with no read-back and no second write.
  const batch: BatchDoc = {
    _id: batchId,
    ...scope,
    owner: opts.owner,
    until: new Date(now.getTime() + opts.leaseMs),
    takes: 1,
    createdAt: now,
    items: candidates,
  };
  await batches.insertOne(batch);
  const moved = await deliveries.updateMany(
    { _id: { $in: candidates.map((c) => c.deliveryId) }, state: { $in: ["pending", "failed"] } },
    { $set: { state: "inflight", batchId, updatedAt: now } },
  );
  if (moved.modifiedCount === candidates.length) return { ...batch, items: candidates };
  if (ahead) ahead.items = []; // another claimer is at work: read afresh next time
  // Another claimer won some: the batch is what moved. (Should this worker die right here, the
  // batch was never sent, and whoever takes it over keeps only the items that moved.)
  const items = await loadItems(db, batchId);
  if (items.length === 0) {
    await batches.deleteOne({ _id: batchId });
    // Read ahead by an earlier claim and all taken since: what is left is read afresh (once).
    return cached ? claimNew(db, scope, opts) : undefined;
  }
  await batches.updateOne({ _id: batchId }, { $set: { items } });
  return { ...batch, items };
}

/** Pending, and failed eligible again, deliveries of the scope with their records, oldest first. */
async function findCandidates(
  db: Db,
  scope: Scope,
  opts: ClaimOptions,
  now: Date,
  limit: number,
): Promise<BatchItem[]> {
  const found = await cols(db)
    .deliveries.find(
      {
        ...scope,
        $or: [
          { state: "pending" },
          { state: "failed", nextEligibleAt: { $lte: now }, lastAttemptAt: { $lt: opts.runStartedAt } },
        ],
      },
      { projection: { recordId: 1, kind: 1, createdAt: 1 } },
    )
    .sort({ createdAt: 1 })
    .limit(Math.max(limit, opts.max))
    .toArray();
  return found.length === 0 ? [] : withRecords(db, found);
}

/**
 * A taken-over batch's items: its frozen items (same body, same Idempotency-Key) when they are all
 * still its inflight deliveries, else those that are (a claim that lost a race and died before
 * fixing its items was never sent); the records read afresh for a batch frozen without items.
 */
async function itemsToResend(db: Db, batch: BatchDoc): Promise<BatchItem[]> {
  if (!batch.items) return loadItems(db, batch._id);
  const mine = await cols(db)
    .deliveries.find({ batchId: batch._id, state: "inflight" }, { projection: { _id: 1 } })
    .toArray();
  const ids = new Set(mine.map((d) => d._id));
  const kept = batch.items.filter((i) => ids.has(i.deliveryId));
  return kept.length === batch.items.length ? batch.items : kept;
}

/** The records of a batch's inflight deliveries, read once and frozen into the batch. */
async function loadItems(db: Db, batchId: string): Promise<BatchItem[]> {
  const ds = await cols(db)
    .deliveries.find({ batchId, state: "inflight" }, { projection: { recordId: 1, kind: 1, createdAt: 1 } })
    .sort({ createdAt: 1 })
    .toArray();
  return withRecords(db, ds);
}

type DeliveryRef = Pick<DeliveryDoc, "_id" | "recordId" | "kind" | "createdAt">;

/** Deliveries with their records: one find per record kind present (a batch has one kind). */
async function withRecords(db: Db, ds: DeliveryRef[]): Promise<BatchItem[]> {
  const c = cols(db);
  const byId = new Map<string, RecordDoc>();
  const ofKind = (k: string) => ds.filter((d) => d.kind === k).map((d) => d.recordId);
  const read = async <T extends RecordDoc>(col: Collection<T>, ids: string[]) => {
    if (ids.length === 0) return;
    for (const r of await col.find({ _id: { $in: ids } } as Filter<T>).toArray())
      byId.set(r._id, r as RecordDoc);
  };
  await read(c.orders, ofKind("order"));
  await read(c.shipments, ofKind("shipment"));
  await read(c.inventory, ofKind("inventory"));
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
