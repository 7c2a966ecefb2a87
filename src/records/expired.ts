// Batches whose lease expired: their worker died (or hung) with records in flight. The worker's
// sweep (src/runtime/sweep.ts) finds their scopes so the records are sent again without waiting
// for new data or a cleanup run.
import type { Db } from "mongodb";
import { cols } from "./collections.js";
import type { Scope } from "./types.js";

/** The distinct scopes of the batches whose lease ended before `now`. */
export async function expiredBatchScopes(db: Db, now = new Date()): Promise<Scope[]> {
  const rows = await cols(db)
    .batches.find({ until: { $lt: now } }, { projection: { service: 1, merchantId: 1, cartId: 1 } })
    .toArray();
  const scopes = new Map<string, Scope>();
  for (const r of rows) {
    const scope = { service: r.service, merchantId: r.merchantId, cartId: r.cartId ?? null };
    scopes.set(JSON.stringify(scope), scope);
  }
  return [...scopes.values()];
}
