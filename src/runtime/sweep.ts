// Nothing waits for an event that may never come: a worker that dies leaves batches in flight and
// run leases behind, and no new data or cleanup run may ever come to take them over. Each worker
// sweeps for them every half lease (docs/workers.md):
// - a batch whose lease expired: an Automatic service is triggered (its run takes the batch over
//   first, same Idempotency-Key); a periodic one sends only its expired batches now;
// - a run lease that expired (its run died): an Automatic key is triggered for what is left.
// A trigger job a dead worker locked before its run took the run lease is left to Agenda (freed
// after its lockLifetime): unlocking it, or moving its key's generation, could cancel or duplicate
// a live but slow worker's run (seen under load with 3 s leases).
import { findSpecs, loadSpec } from "../jobs/repository.js";
import type { JobSpec } from "../jobs/types.js";
import { dropExpiredLease, expiredLeases, tryAcquire, withLease } from "../platform/lease.js";
import { expiredBatchScopes, type Scope } from "../records/index.js";
import type { RuntimeContext } from "./context.js";
import { resendExpired } from "./handlers/push-services.js";
import { runLockName } from "./run-key.js";
import { trigger } from "./trigger.js";

export interface SweepReport {
  /** Keys whose expired batches were handed on (triggered or sent). */
  batches: string[];
  /** Automatic keys triggered for a run that died. */
  runs: string[];
}

/**
 * The sweep period: half the shorter lease. A lease is handed on once it has been expired for one
 * more lease, so within one lease and a half of its expiry.
 */
export function sweepPeriodMs(opts: { batchLeaseMs: number; runLeaseMs: number }): number {
  return Math.max(250, Math.min(opts.batchLeaseMs, opts.runLeaseMs) / 2);
}

/** One sweep (idempotent; several workers may sweep at once). */
export async function sweep(ctx: RuntimeContext, now = new Date()): Promise<SweepReport> {
  const report: SweepReport = { batches: [], runs: [] };
  // Expired for a whole lease more: a live holder renews every third of a lease, so one that is
  // only slow (a loaded machine) is not taken for dead.
  const batchesBefore = new Date(now.getTime() - ctx.opts.batchLeaseMs);
  for (const scope of await expiredBatchScopes(ctx.db, batchesBefore)) {
    const spec = await specOfScope(ctx, scope);
    if (spec && (await handOn(ctx, spec, now))) report.batches.push(spec.key);
  }
  const RUN = runLockName("");
  for (const lease of await expiredLeases(ctx.db, RUN, new Date(now.getTime() - ctx.opts.runLeaseMs))) {
    const spec = await loadSpec(ctx.db, lease.name.slice(RUN.length));
    if (spec && (await trigger(ctx, spec, 1))) report.runs.push(spec.key);
    await dropExpiredLease(ctx.db, lease);
  }
  return report;
}

async function specOfScope(ctx: RuntimeContext, scope: Scope): Promise<JobSpec | undefined> {
  const specs = await findSpecs(ctx.db, { merchantId: scope.merchantId, service: scope.service });
  return specs.find((s) => s.cartId === scope.cartId && !s.disabled);
}

/** Automatic: a trigger; periodic: its expired batches now, unless a run of the key is going. */
async function handOn(ctx: RuntimeContext, spec: JobSpec, now: Date): Promise<boolean> {
  if (spec.schedule.kind === "automatic") return trigger(ctx, spec, 1);
  const lease = await tryAcquire(ctx.db, runLockName(spec.key), ctx.opts.runLeaseMs);
  if (!lease) return false; // the run going takes expired batches over first
  await withLease(lease, ctx.opts.runLeaseMs, () => resendExpired(ctx, spec, now));
  return true;
}
