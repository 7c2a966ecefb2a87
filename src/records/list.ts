// Reading deliveries for `schedsync records` and status pages.
import type { Db, Filter } from "mongodb";
import { ferret } from "../store/writes.js";
import { ARCHIVE, cols } from "./collections.js";
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
  if (!withArchive(q)) return hot;
  // Every archived delivery is delivered: only a merchant or service narrows the archive.
  const whole = q.merchantId === undefined && q.service === undefined;
  return hot + (whole ? await archivedTotal(db) : await c.archive.countDocuments(filter));
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
  counts.delivered += await (Object.keys(scope).length === 0
    ? archivedTotal(db)
    : cols(db).archive.countDocuments(scope));
  return counts;
}

/**
 * Skips failed deliveries that are older than maxAge even if no run tried them again; returns how
 * many. Every push run calls it and it almost never finds one, so it first reads the scope's oldest
 * failed delivery: on the embedded store an update holds the store's write serializer while it
 * searches, a read holds nothing, and this read (equalities only, the search the index serves) costs
 * 14 ms where one with the `createdAt` range costs 55 ms (4,000 deliveries; docs/benchmarks.md,
 * "Expired-delivery check").
 */
export async function skipExpired(db: Db, scope: Scope, maxAgeMs: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - maxAgeMs);
  const [oldest] = await cols(db)
    .deliveries.find({ ...scope, state: "failed" }, { projection: { createdAt: 1 } })
    .sort({ createdAt: 1 })
    .limit(1)
    .toArray();
  if (!oldest || !(oldest.createdAt < cutoff)) return 0;
  const r = await cols(db).deliveries.updateMany(
    { ...scope, state: "failed", createdAt: { $lt: cutoff } },
    { $set: { state: "skipped", updatedAt: now } },
  );
  return r.modifiedCount;
}

/**
 * How many deliveries the archive holds, from the store's collection statistics: FerretDB 1.24
 * decodes every document for a count (estimatedDocumentCount of 40,000: 1.8 s; collStats: 34 ms).
 */
async function archivedTotal(db: Db): Promise<number> {
  if (!(await ferret(db))) return cols(db).archive.estimatedDocumentCount();
  const stats = await db.command({ collStats: ARCHIVE }).catch(() => ({ count: 0 }));
  return Number(stats.count) || 0;
}
