// After each run of a key: its outcome on the job (jobs/health.ts), and loud logs. A failed run
// logs WARN with its key and reason; the failure that makes a job failing (ESCALATE_AFTER in a
// row) logs ERROR once, and the success after it logs INFO "recovered": one line per state change.
import { type RunOutcome, recordJobOutcome } from "../jobs/health.js";
import { countRun } from "../jobs/run-hours.js";
import type { ActualJob, JobSpec } from "../jobs/types.js";
import { count } from "../platform/words.js";
import type { PendingOutcome, RuntimeContext } from "./context.js";
import type { RunReport } from "./handlers/index.js";

/** Failed runs in a row that make a job "failing" (ERROR, a notification). */
export const ESCALATE_AFTER = 2;

/** Counts of a push run, when the report is one. */
function pushCounts(
  report: RunReport,
): { delivered: number; failed: number; skipped: number; reason?: string } | undefined {
  const r = report as Record<string, unknown>;
  if (typeof r.failed !== "number" || typeof r.delivered !== "number") return undefined;
  return {
    delivered: r.delivered,
    failed: r.failed,
    skipped: typeof r.skipped === "number" ? r.skipped : 0,
    reason: typeof r.reason === "string" ? r.reason : undefined,
  };
}

/**
 * The outcome of a finished run: a run that threw failed; a push run whose every record failed
 * (failed > 0, delivered 0) failed too, with "<n> of <n> records failed: <first reason>".
 */
export function outcomeOf(report: RunReport | Error, at = new Date()): RunOutcome {
  if (report instanceof Error) return { ok: false, at, reason: report.message || String(report) };
  const c = pushCounts(report);
  if (c && c.failed > 0 && c.delivered === 0) {
    const n = c.failed + c.skipped;
    return {
      ok: false,
      at,
      reason: `${c.failed} of ${count(n, "record")} failed${c.reason ? `: ${c.reason}` : ""}`,
    };
  }
  return { ok: true, at };
}

/**
 * Logs the run at its level and records its outcome on the key's job; never throws (a run's result
 * stands). With `defer`, the outcome is returned instead of written: the caller records it with
 * recordOutcome (a scheduled run, after Agenda's end-of-run save, in the same command as the
 * reschedule check).
 */
export async function reportRun(
  ctx: RuntimeContext,
  spec: JobSpec,
  report: RunReport | Error,
  o: { defer?: boolean } = {},
): Promise<PendingOutcome> {
  const { log } = ctx.opts;
  const outcome = outcomeOf(report);
  // No "service" field: the logger's base has service: "schedsync" already, and the key names it.
  const fields = { key: spec.key, merchant: spec.merchantId, cart: spec.cartId ?? undefined };
  if (ctx.abandoned && report instanceof Error) {
    log.debug({ ...fields, err: report.message }, "a run the stop gave up on ended");
    return { outcome };
  }
  const counts = report instanceof Error ? undefined : pushCounts(report);
  if (!outcome.ok)
    ctx.opts.hooks.countJobFailure?.({
      merchant: spec.merchantId,
      cart: spec.cartId ?? "",
      service: spec.service,
    });
  if (!outcome.ok)
    log.warn({ ...fields, ...(report instanceof Error ? {} : report), reason: outcome.reason }, "run failed");
  else if (counts && (counts.failed > 0 || counts.skipped > 0))
    log.warn({ ...fields, ...report }, "run finished with failed or skipped records");
  else log.info({ ...fields, ...report }, "run finished");
  if (ctx.runHours) ctx.runHours.add(outcome);
  else
    await countRun(ctx.db, outcome).catch((err) =>
      log.warn({ key: spec.key, err: String(err) }, "could not count the run in its hour"),
    );
  const pending: PendingOutcome = {
    outcome,
    ...(counts
      ? { counts: { skipped: counts.skipped, ...(counts.reason ? { reason: counts.reason } : {}) } }
      : {}),
  };
  if (!o.defer) await recordOutcome(ctx, spec, pending);
  return pending;
}

/**
 * Records a run's outcome on the key's job (one findAndModify) and logs and notifies a change of
 * state (failing, recovered) and skipped records. Returns the job as it was just before the write
 * (undefined when schedsync owns no job with the key, or the write failed: logged, never thrown).
 */
export async function recordOutcome(
  ctx: RuntimeContext,
  spec: JobSpec,
  { outcome, counts }: PendingOutcome,
): Promise<ActualJob | undefined> {
  const { log } = ctx.opts;
  const fields = { key: spec.key, merchant: spec.merchantId, cart: spec.cartId ?? undefined };
  let change: Awaited<ReturnType<typeof recordJobOutcome>>;
  try {
    change = await recordJobOutcome(ctx.db, spec.key, outcome);
  } catch (err) {
    // After the stop gave up on the run the store is closing: expected, not worth a warning.
    log[ctx.abandoned ? "debug" : "warn"](
      { key: spec.key, err: String(err) },
      "could not record the run's outcome on its job",
    );
    return undefined;
  }
  if (!change) return undefined;
  const { before, after } = change;
  if (!outcome.ok && after.consecutiveFailures === ESCALATE_AFTER) {
    log.error({ ...fields, reason: outcome.reason, failures: after.consecutiveFailures }, "job is failing");
    ctx.opts.notify?.({
      kind: "failing",
      key: spec.key,
      text: `schedsync: ${spec.key} is failing (${count(after.consecutiveFailures, "run")} in a row): ${outcome.reason}`,
    });
  } else if (outcome.ok && before.consecutiveFailures >= ESCALATE_AFTER) {
    log.info({ ...fields, failures: before.consecutiveFailures }, "job recovered");
  }
  if (counts && counts.skipped > 0)
    ctx.opts.notify?.({
      kind: "skipped",
      key: spec.key,
      text: `schedsync: ${spec.key} skipped ${count(counts.skipped, "record")} (not retryable or too old)${counts.reason ? `: ${counts.reason}` : ""}`,
    });
  return change.job;
}
