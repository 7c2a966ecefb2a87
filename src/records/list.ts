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

/** The deliveries matching q, newest change first, at most q.limit (default 100). */
export async function listDeliveries(db: Db, q: ListQuery = {}): Promise<DeliveryDoc[]> {
  const filter = listFilter(q);
  return cols(db)
    .deliveries.find(filter)
    .sort({ updatedAt: -1 })
    .limit(q.limit ?? 100)
    .toArray();
}

/** How many deliveries match q (its limit ignored): what listDeliveries left out shows against it. */
export function countDeliveries(db: Db, q: ListQuery = {}): Promise<number> {
  return cols(db).deliveries.countDocuments(listFilter(q));
}

export type StateCounts = Record<DeliveryState, number>;

/** Counts per state for one scope (used by runs to report and by the status page). */
export async function countStates(db: Db, scope: Partial<Scope>): Promise<StateCounts> {
  const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as StateCounts;
  const rows = await cols(db)
    .deliveries.aggregate<{ _id: DeliveryState; n: number }>([
      { $match: scope },
      { $group: { _id: "$state", n: { $sum: 1 } } },
    ])
    .toArray();
  for (const r of rows) counts[r._id] = r.n;
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
