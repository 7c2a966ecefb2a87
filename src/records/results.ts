// Recording what the receiver said, per record: acknowledged ids become delivered, rejected and
// missing ones failed (or skipped once attempts or age run out), and ones rejected as not
// retryable held (only a resend sends them again).
import type { Db, UpdateFilter } from "mongodb";
import { updateManyByIds } from "../store/writes.js";
import { cols, DELIVERIES } from "./collections.js";
import { setOrderStatus } from "./orders.js";
import {
  type BatchDoc,
  type BatchResult,
  DEFAULT_RETRY_POLICY,
  type DeliveryDoc,
  type RetryPolicy,
} from "./types.js";

export const NOT_ACKNOWLEDGED = "not acknowledged by the receiver";

export interface Outcome {
  delivered: string[];
  failed: string[];
  skipped: string[];
  /** Rejected as not retryable: held until a resend. */
  held: string[];
  /** Acknowledged, but the record changed meanwhile: queued again. */
  requeued: string[];
}

/**
 * Finishes a batch. The result is first written on the batch (one atomic write) so a worker
 * that dies half way is finished by whoever takes the batch over. Returns undefined when the
 * lease was lost: the new owner resends with the same Idempotency-Key and records the outcome.
 */
export async function completeBatch(
  db: Db,
  batch: BatchDoc,
  result: BatchResult,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  opts: { finished?: string[] } = {},
): Promise<Outcome | undefined> {
  const { batches } = cols(db);
  const r = await batches.updateOne({ _id: batch._id, owner: batch.owner }, { $set: { result } });
  if (r.matchedCount !== 1) return undefined;
  const outcome = await applyResult(db, batch, result, policy, new Date(), acknowledgedRefs(batch, result));
  if (opts.finished) opts.finished.push(batch._id);
  else await batches.deleteOne({ _id: batch._id });
  return outcome;
}

/**
 * Deletes finished batches (their answer applied) that completeBatch left to the caller, in one
 * command per 100. One left behind by a crash is deleted by whoever takes it over: its answer is
 * on it and none of its deliveries is still in flight.
 */
export async function deleteFinished(db: Db, finished: string[]): Promise<void> {
  for (let i = 0; i < finished.length; i += 100)
    await cols(db).batches.deleteMany({ _id: { $in: finished.slice(i, i + 100) } });
  finished.length = 0;
}

type InflightRef = Pick<DeliveryDoc, "_id" | "recordId" | "attempts" | "createdAt" | "stale">;

/**
 * The batch's inflight deliveries without reading them, when its owner knows them: every item
 * acknowledged (attempts and age are not needed), none possibly stale (only a changed inventory
 * level marks a delivery stale, queue.ts requeueChanged), and the items the claim moved.
 */
function acknowledgedRefs(batch: BatchDoc, result: BatchResult): InflightRef[] | undefined {
  const items = batch.items;
  if (!items || batch.service === "inventoryUpload" || result.failed.length > 0) return undefined;
  const ok = new Set(result.ok);
  if (!items.every((i) => ok.has(i.recordId))) return undefined;
  return items.map((i) => ({ _id: i.deliveryId, recordId: i.recordId, attempts: 0, createdAt: new Date(0) }));
}

/**
 * The whole batch failed (no usable response): every record gets the same error and facts
 * (`retryable: false` holds them all, e.g. a 4xx the receiver will answer again).
 */
export function failAll(
  batch: BatchDoc & { items?: { recordId: string }[] },
  error: string,
  facts: { retryAfterMs?: number; retryable?: boolean; deferred?: boolean } = {},
): BatchResult {
  return { ok: [], failed: (batch.items ?? []).map((i) => ({ id: i.recordId, error, ...facts })) };
}

export async function applyResult(
  db: Db,
  batch: BatchDoc,
  result: BatchResult,
  policy: RetryPolicy,
  now = new Date(),
  known?: InflightRef[],
): Promise<Outcome> {
  const { deliveries } = cols(db);
  const inBatch: InflightRef[] =
    known ?? (await deliveries.find({ batchId: batch._id, state: "inflight" }).toArray());
  const ok = new Set(result.ok);
  const rejected = new Map(result.failed.map((f) => [f.id, f]));
  const out: Outcome = { delivered: [], failed: [], skipped: [], held: [], requeued: [] };
  // One updateMany per group of records that get the same update (not one updateOne per record).
  const groups = new Map<string, { ids: string[]; update: UpdateFilter<DeliveryDoc> }>();
  const add = (key: string, id: string, update: () => UpdateFilter<DeliveryDoc>) => {
    const g = groups.get(key) ?? { ids: [], update: update() };
    g.ids.push(id);
    groups.set(key, g);
  };
  for (const d of inBatch) {
    if (ok.has(d.recordId) && !rejected.has(d.recordId)) {
      if (d.stale) {
        out.requeued.push(d.recordId);
        add("requeued", d._id, () => ({
          $set: { state: "pending", attempts: 0, updatedAt: now },
          $unset: { batchId: "", stale: "" },
        }));
      } else {
        out.delivered.push(d.recordId);
        add("delivered", d._id, () => ({
          $set: { state: "delivered", deliveredAt: now, lastAttemptAt: now, updatedAt: now },
          $inc: { attempts: 1 },
          $unset: { batchId: "", lastError: "", nextEligibleAt: "", stale: "" },
        }));
      }
      continue;
    }
    const why = rejected.get(d.recordId);
    if (why?.retryable === false) {
      out.held.push(d.recordId);
      add(JSON.stringify(["held", why.error]), d._id, () => ({
        $set: { state: "held", lastError: why.error, lastAttemptAt: now, updatedAt: now },
        $inc: { attempts: 1 },
        $unset: { batchId: "", stale: "", nextEligibleAt: "" },
      }));
      continue;
    }
    const tooOld = now.getTime() - d.createdAt.getTime() >= policy.maxAgeMs;
    const deferred = why?.deferred === true;
    const giveUp = tooOld || (!deferred && d.attempts + 1 >= policy.maxAttempts);
    const wait = Math.max(policy.retryDelayMs, why?.retryAfterMs ?? 0);
    const error = why?.error ?? NOT_ACKNOWLEDGED;
    (giveUp ? out.skipped : out.failed).push(d.recordId);
    add(JSON.stringify([giveUp, wait, error, deferred]), d._id, () => ({
      $set: {
        state: giveUp ? "skipped" : "failed",
        lastError: error,
        lastAttemptAt: now,
        nextEligibleAt: new Date(now.getTime() + wait),
        updatedAt: now,
      },
      // attempts + 1 as read above: only this batch's owner writes an inflight delivery of it.
      // A deferred record was not taken for the budget's sake: not an attempt.
      ...(deferred ? {} : { $inc: { attempts: 1 } }),
      $unset: { batchId: "", stale: "" },
    }));
  }
  // Order statuses first: whoever sees a delivery as delivered also sees its order at the WMS.
  // Both writes are idempotent, and a worker that dies between them is finished from the answer
  // stored on the batch.
  await updateOrderStatuses(db, batch, out, result);
  await updateManyByIds<DeliveryDoc>(
    db,
    DELIVERIES,
    [...groups.values()].map((g) => ({
      ids: g.ids,
      filter: { batchId: batch._id, state: "inflight" },
      update: g.update,
    })),
  );
  return out;
}

/** The hub's order status follows its deliveries: new → at_wms → shipped → confirmed, or error. */
async function updateOrderStatuses(
  db: Db,
  batch: BatchDoc,
  out: Outcome,
  result: BatchResult,
): Promise<void> {
  if (batch.service === "orderDelivery") {
    await setOrderStatus(db, out.delivered, ["new", "error"], "at_wms");
    // A record the budget held back has not failed at the WMS: its order stays as it was.
    const deferred = new Set(result.failed.filter((f) => f.deferred).map((f) => f.id));
    const bad = [...out.failed.filter((id) => !deferred.has(id)), ...out.skipped, ...out.held];
    for (const id of bad) {
      const error = result.failed.find((f) => f.id === id)?.error ?? NOT_ACKNOWLEDGED;
      await setOrderStatus(db, [id], ["new", "error"], "error", error);
    }
  } else if (batch.service === "shipmentUpload" && out.delivered.length > 0) {
    const shipments = await cols(db)
      .shipments.find({ _id: { $in: out.delivered } }, { projection: { orderId: 1 } })
      .toArray();
    await setOrderStatus(
      db,
      shipments.map((s) => s.orderId),
      ["new", "at_wms", "shipped", "error"],
      "confirmed",
    );
  }
}
