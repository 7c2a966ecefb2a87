// The deliveries of the last hours, bucketed by hour, for the status page's charts, and the
// failed or skipped ones grouped by reason. Computed in JS from a projection: FerretDB 1.24's
// aggregation lacks $dateTrunc, and a status page reads at most `limit` documents.
import type { Db } from "mongodb";
import { cols } from "./collections.js";
import type { Scope } from "./types.js";

const HOUR_MS = 3_600_000;

export interface HourActivity {
  /** Start of the hour (UTC). */
  hour: Date;
  delivered: number;
  /** Deliveries whose last attempt in this hour failed, was skipped or was held. */
  failed: number;
  /**
   * Median seconds from queued to delivered of this hour's deliveries by Automatic services
   * (undefined: none). A periodic service's latency is mostly its interval, so it is left out.
   */
  medianLatencySeconds?: number;
}

export interface FailureReason {
  merchantId: string;
  cartId: string | null;
  service: string;
  state: string;
  reason: string;
  count: number;
  lastAt: Date | null;
}

export interface Activity {
  hours: HourActivity[];
  reasons: FailureReason[];
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Which deliveries' latency counts: those of an Automatic service (merchant, cart, service). */
export type IsAutomatic = (scope: Pick<Scope, "merchantId" | "cartId" | "service">) => boolean;

/**
 * The last `hours` hours (oldest first, the current one last) and the failure reasons, most
 * records first. Reads at most `limit` deliveries touched in that span. The latency is of the
 * deliveries `automatic` accepts (none without it).
 */
export async function recentActivity(
  db: Db,
  opts: { now?: Date; hours?: number; limit?: number; automatic?: IsAutomatic } = {},
): Promise<Activity> {
  const now = (opts.now ?? new Date()).getTime();
  const n = opts.hours ?? 12;
  const first = Math.floor(now / HOUR_MS) * HOUR_MS - (n - 1) * HOUR_MS;
  const docs = await cols(db)
    .deliveries.find(
      { updatedAt: { $gte: new Date(first) } },
      {
        projection: {
          merchantId: 1,
          cartId: 1,
          service: 1,
          state: 1,
          lastError: 1,
          lastAttemptAt: 1,
          deliveredAt: 1,
          createdAt: 1,
          updatedAt: 1,
        },
      },
    )
    .limit(opts.limit ?? 20_000)
    .toArray();
  const hours = Array.from({ length: n }, (_, i) => ({
    hour: new Date(first + i * HOUR_MS),
    delivered: 0,
    failed: 0,
    latencies: [] as number[],
  }));
  const slot = (d: Date | undefined) => (d ? hours[Math.floor((d.getTime() - first) / HOUR_MS)] : undefined);
  const reasons = new Map<string, FailureReason>();
  for (const d of docs) {
    if (d.state === "delivered" && d.deliveredAt) {
      const h = slot(d.deliveredAt);
      if (!h) continue;
      h.delivered += 1;
      if (opts.automatic?.({ merchantId: d.merchantId, cartId: d.cartId ?? null, service: d.service }))
        h.latencies.push(Math.max(0, d.deliveredAt.getTime() - d.createdAt.getTime()) / 1000);
    } else if (d.state === "failed" || d.state === "skipped" || d.state === "held") {
      const at = d.lastAttemptAt ?? d.updatedAt;
      const h = slot(at);
      if (h) h.failed += 1;
      const reason = d.lastError ?? "no reason recorded";
      const id = JSON.stringify([d.merchantId, d.cartId, d.service, d.state, reason]);
      const r = reasons.get(id) ?? {
        merchantId: d.merchantId,
        cartId: d.cartId ?? null,
        service: d.service,
        state: d.state,
        reason,
        count: 0,
        lastAt: null,
      };
      r.count += 1;
      if (at && (!r.lastAt || at > r.lastAt)) r.lastAt = at;
      reasons.set(id, r);
    }
  }
  return {
    hours: hours.map(({ latencies, ...h }) => ({ ...h, medianLatencySeconds: median(latencies) })),
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count),
  };
}
