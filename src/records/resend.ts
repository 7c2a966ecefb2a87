// Manual resend (the only way out of `held`): records (or single deliveries) go back to pending with a fresh attempt count.
import type { Db, Filter } from "mongodb";
import { restoreArchived } from "./archive.js";
import { cols } from "./collections.js";
import { isDeliveryId } from "./ids.js";
import type { DeliveryDoc, DeliveryState, Scope } from "./types.js";

const RESENDABLE: DeliveryState[] = ["failed", "skipped", "held", "delivered"];

export interface ResendResult {
  /** Deliveries put back to pending. */
  requeued: number;
  /** The scopes that now have pending work (to trigger their runs). */
  scopes: Scope[];
  /** Ids that matched no delivery that could be resent. */
  unknown: string[];
}

/**
 * Resends failed, skipped, held or delivered deliveries (archived ones too: they come back to the
 * hot collection); pending and inflight ones are left alone.
 */
export async function resend(db: Db, ids: string[], now = new Date()): Promise<ResendResult> {
  const { deliveries, archive } = cols(db);
  const out: ResendResult = { requeued: 0, scopes: [], unknown: [] };
  const seen = new Set<string>();
  for (const id of ids) {
    const filter: Filter<DeliveryDoc> = {
      ...(isDeliveryId(id) ? { _id: id } : { recordId: id }),
      state: { $in: RESENDABLE },
    };
    const hot = await deliveries.find(filter).toArray();
    const hotIds = new Set(hot.map((t) => t._id));
    const archived = (await archive.find(filter).toArray()).filter((t) => !hotIds.has(t._id));
    const targets = [...hot, ...archived];
    if (targets.length === 0) {
      out.unknown.push(id);
      continue;
    }
    await restoreArchived(db, archived);
    const r = await deliveries.updateMany(
      { _id: { $in: targets.map((t) => t._id) }, state: { $in: RESENDABLE } },
      {
        $set: { state: "pending", attempts: 0, createdAt: now, updatedAt: now },
        $unset: { lastError: "", nextEligibleAt: "", deliveredAt: "" },
      },
    );
    out.requeued += r.modifiedCount;
    for (const t of targets) {
      const k = `${t.service}|${t.merchantId}|${t.cartId}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.scopes.push({ service: t.service, merchantId: t.merchantId, cartId: t.cartId });
    }
  }
  return out;
}
