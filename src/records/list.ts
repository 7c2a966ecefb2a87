// Reading deliveries for `schedsync records` and status pages.
import type { Db, Filter } from "mongodb";
import { cols } from "./collections.js";
import {
  DELIVERY_STATES,
  type DeliveryDoc,
  type DeliveryState,
  type PushService,
  type Scope,
} from "./types.js";

export interface ListQuery {
  state?: DeliveryState;
  merchantId?: string;
  service?: PushService;
  limit?: number;
}

function listFilter(q: ListQuery): Filter<DeliveryDoc> {
  const filter: Filter<DeliveryDoc> = {};
  if (q.state) filter.state = q.state;
  if (q.merchantId) filter.merchantId = q.merchantId;
  if (q.service) filter.service = q.service;
  return filter;
}

/** Archived deliveries are all delivered: they match a query for delivered ones or any state. */
const withArchive = (q: ListQuery) => q.state === undefined || q.state === "delivered";

/**
 * The deliveries matching q, newest change first, at most q.limit (default 100); delivered ones
 * include those archived after the retention (archive.ts).
 */
export async function listDeliveries(db: Db, q: ListQuery = {}): Promise<DeliveryDoc[]> {
  const filter = listFilter(q);
  const limit = q.limit ?? 100;
  const c = cols(db);
  const read = (col: typeof c.deliveries) => col.find(filter).sort({ updatedAt: -1 }).limit(limit).toArray();
  const hot = await read(c.deliveries);
  if (!withArchive(q)) return hot;
  const cold = await read(c.archive);
  return [...hot, ...cold].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime()).slice(0, limit);
}

/** How many deliveries match q (its limit ignored): what listDeliveries left out shows against it. */
export async function countDeliveries(db: Db, q: ListQuery = {}): Promise<number> {
  const filter = listFilter(q);
  const c = cols(db);
  const hot = await c.deliveries.countDocuments(filter);
  return withArchive(q) ? hot + (await c.archive.countDocuments(filter)) : hot;
}

export type StateCounts = Record<DeliveryState, number>;

/**
 * Counts per state for one scope (used by runs to report and by the status page); `delivered`
 * includes the archived deliveries.
 */
export async function countStates(db: Db, scope: Partial<Scope>): Promise<StateCounts> {
  const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as StateCounts;
  const rows = await cols(db)
    .deliveries.aggregate<{ _id: DeliveryState; n: number }>([
      { $match: scope },
      { $group: { _id: "$state", n: { $sum: 1 } } },
    ])
    .toArray();
  for (const r of rows) counts[r._id] = r.n;
  // The whole archive's count is the store's own (no scan of it); a scope's is counted.
  const { archive } = cols(db);
  counts.delivered += await (Object.keys(scope).length === 0
    ? archive.estimatedDocumentCount()
    : archive.countDocuments(scope));
  return counts;
}

/** Skips failed deliveries that are older than maxAge even if no run tried them again. */
export async function skipExpired(db: Db, scope: Scope, maxAgeMs: number, now = new Date()): Promise<number> {
  const r = await cols(db).deliveries.updateMany(
    { ...scope, state: "failed", createdAt: { $lt: new Date(now.getTime() - maxAgeMs) } },
    { $set: { state: "skipped", updatedAt: now } },
  );
  return r.modifiedCount;
}
