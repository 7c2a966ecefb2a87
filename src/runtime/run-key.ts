// One run of one service key, under a per-key lease: never two runs of a key at once, across
// all workers (Agenda's own locks are per job document, and one key can have several: its
// scheduled job, triggered runs, manual runs). Every run is recorded on the key's scheduled job
// (lastRunAt, lastFinishedAt, failedAt), whatever started it, so status shows it.

import { recordJobRun } from "../jobs/repository.js";
import type { JobSpec } from "../jobs/types.js";
import { tryAcquire, withLease } from "../platform/lease.js";
import type { PendingOutcome, RuntimeContext } from "./context.js";
import { HANDLERS, type RunReport } from "./handlers/index.js";
import { reportRun } from "./health.js";
import { currentGen, lastRun, nextGen, runLockName } from "./run-state.js";
import { enqueue, trigger } from "./trigger.js";

export { runLockName };

/**
 * Runs the key now; "busy" when another run of it holds the lease. `triggered`: a trigger job's
 * run (Automatic, or on demand: a cart's webhook), which moves the key's generation like Automatic.
 * `scheduled`: the run of the key's own scheduled Agenda job, whose end-of-run save writes
 * lastRunAt, lastFinishedAt and failedAt on that document, so the run is not recorded there twice.
 * `deferOutcome`: the run's outcome is handed to it instead of written (the scheduled job's end
 * writes it: reschedule.ts, endScheduledRun).
 */
export async function runKey(
  ctx: RuntimeContext,
  spec: JobSpec,
  o: { triggered?: boolean; scheduled?: boolean; deferOutcome?: (p: PendingOutcome) => void } = {},
): Promise<RunReport | "busy"> {
  const { db, opts } = ctx;
  const lease = await tryAcquire(db, runLockName(spec.key), opts.runLeaseMs);
  if (!lease) return "busy";
  const automatic = spec.schedule.kind === "automatic";
  const generations = automatic || o.triggered === true;
  // The run's record (run-state.ts, lastRun) is written by the lease's release: one update, not two.
  let last: Record<string, unknown> | undefined;
  const reportOutcome = async (r: RunReport | Error) => {
    const pending = await reportRun(ctx, spec, r, { defer: o.deferOutcome !== undefined });
    o.deferOutcome?.(pending);
  };
  const work = async () => {
    const gen = generations ? await nextGen(db, spec.key) : 0;
    const startedAt = new Date();
    try {
      const report = await HANDLERS[spec.service](ctx, spec, startedAt);
      last = lastRun({ startedAt, outcome: numbers(report) });
      if (!o.scheduled) await recordJobRun(db, spec.key, { startedAt, finishedAt: new Date() });
      await reportOutcome(report);
      // Work left over (cap or shutdown), or a trigger that found this run busy (it moved the
      // generation on): the next generation's run takes it, on any worker.
      if (generations && (report.more || (await currentGen(db, spec.key)) !== gen)) await again(ctx, spec);
      return report;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      last = lastRun({ startedAt, error: msg });
      if (!o.scheduled)
        await recordJobRun(db, spec.key, { startedAt, finishedAt: new Date(), error: msg }).catch(() => {});
      await reportOutcome(err instanceof Error ? err : new Error(msg));
      throw err;
    }
  };
  return withLease(lease, opts.runLeaseMs, work, () => last);
}

/** The next generation's run: Automatic's window, or at once for an on-demand run. */
export async function again(ctx: RuntimeContext, spec: JobSpec, delayMs?: number): Promise<void> {
  if (spec.schedule.kind === "automatic") await trigger(ctx, spec, delayMs);
  else await enqueue(ctx, spec, delayMs ?? 1);
}

function numbers(report: RunReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(report)) if (typeof v === "number") out[k] = v;
  return out;
}
