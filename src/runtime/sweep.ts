// Nothing waits for an event that may never come: a worker that dies leaves batches in flight,
// run leases and locked trigger jobs behind, and no new data or cleanup run may ever come to
// take them over. Each worker sweeps for them every half lease (docs/workers.md):
// - a batch whose lease expired: an Automatic service is triggered (its run takes the batch over
//   first, same Idempotency-Key); a periodic one sends only its expired batches now;
// - a run lease that expired (its run died): an Automatic key is triggered for what is left;
// - a trigger job locked longer than a run lease whose run never started (its generation is still
//   the key's current one, no live run lease): a new generation is triggered. The old job is left
//   to Agenda (freed after its lockLifetime): unlocking it could cancel a live but slow worker's run.
import { findSpecs, loadSpec, lockedTriggers } from "../jobs/repository.js";
import type { JobSpec } from "../jobs/types.js";
import { dropExpiredLease, expiredLeases, isLeaseHeld, tryAcquire, withLease } from "../platform/lease.js";
import { expiredBatchScopes, type Scope } from "../records/index.js";
import type { RuntimeContext } from "./context.js";
import { resendExpired } from "./handlers/push-services.js";
import { runLockName } from "./run-key.js";
import { currentGen, nextGen } from "./run-state.js";
import { trigger } from "./trigger.js";

export interface SweepReport {
  /** Keys whose expired batches were handed on (triggered or sent). */
  batches: string[];
  /** Automatic keys triggered for a run that died. */
  runs: string[];
  /** Automatic keys triggered again for a trigger job whose run never started. */
  triggers: string[];
}

/** The sweep period: half the shorter lease, so work is handed on within half a lease of expiry. */
export function sweepPeriodMs(opts: { batchLeaseMs: number; runLeaseMs: number }): number {
  return Math.max(250, Math.min(opts.batchLeaseMs, opts.runLeaseMs) / 2);
}

/** One sweep (idempotent; several workers may sweep at once). */
export async function sweep(ctx: RuntimeContext, now = new Date()): Promise<SweepReport> {
  const report: SweepReport = { batches: [], runs: [], triggers: [] };
  for (const scope of await expiredBatchScopes(ctx.db, now)) {
    const spec = await specOfScope(ctx, scope);
    if (spec && (await handOn(ctx, spec, now))) report.batches.push(spec.key);
  }
  const RUN = runLockName("");
  for (const lease of await expiredLeases(ctx.db, RUN, now)) {
    const spec = await loadSpec(ctx.db, lease.name.slice(RUN.length));
    if (spec && (await trigger(ctx, spec, 1))) report.runs.push(spec.key);
    await dropExpiredLease(ctx.db, lease);
  }
  const lockedBefore = new Date(now.getTime() - ctx.opts.runLeaseMs);
  for (const job of await lockedTriggers(ctx.db, lockedBefore)) {
    // A run that started moved the key to a new generation (run-state.ts).
    if (job.gen !== (await currentGen(ctx.db, job.key))) continue;
    if (await isLeaseHeld(ctx.db, runLockName(job.key), now)) continue;
    const spec = await loadSpec(ctx.db, job.key);
    if (!spec) continue;
    await nextGen(ctx.db, job.key);
    if (await trigger(ctx, spec, 1)) report.triggers.push(job.key);
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
