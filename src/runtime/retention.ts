// The retention step (docs/operations.md, "Retention"): every worker, once a minute (archiveEveryMs), moves the
// deliveries delivered longer ago than the retention to the archive (records/archive.ts), under a
// lease so one worker at a time does it. A pass moves at most 20 chunks; the next goes on.
import { tryAcquire, withLease } from "../platform/lease.js";
import { archiveDelivered } from "../records/index.js";
import type { RuntimeContext } from "./context.js";

const LEASE = "archive:deliveries";

/**
 * One retention step: how many deliveries moved; 0 when retention is off (Infinity), another worker
 * holds the step, or nothing is due.
 */
export async function archiveStep(ctx: RuntimeContext, now = new Date()): Promise<number> {
  const { retentionMs, runLeaseMs } = ctx.opts;
  if (!Number.isFinite(retentionMs)) return 0;
  const lease = await tryAcquire(ctx.db, LEASE, runLeaseMs);
  if (!lease) return 0;
  return withLease(lease, runLeaseMs, () => archiveDelivered(ctx.db, new Date(now.getTime() - retentionMs)));
}
