// A push run: claim a batch for the scope, send it with the batch id as Idempotency-Key, record
// the per-record answer; repeat until nothing is left, the run's cap, or shutdown.

import { BudgetWaitError } from "../connectors/budget.js";
import type { ConnectorError } from "../connectors/port.js";
import {
  type BatchItem,
  type BatchResult,
  type ClaimedBatch,
  claimBatch,
  completeBatch,
  deleteFinished,
  failAll,
  type Lookahead,
  LostBatchError,
  type Outcome,
  renewBatch,
  type Scope,
  skipExpired,
  takeOverExpired,
} from "../records/index.js";
import type { RuntimeContext } from "./context.js";

export type Send = (items: BatchItem[], idempotencyKey: string) => Promise<BatchResult>;

export interface PushReport {
  batches: number;
  delivered: number;
  failed: number;
  skipped: number;
  /** Rejected as not retryable: held until a resend (present only when some were). */
  held?: number;
  requeued: number;
  /** The receiver's first rejection reason in this run (logs, the job's health). */
  reason?: string;
  /** Stopped with work possibly left (cap or shutdown). */
  more: boolean;
}

export interface PushMode {
  /** Feeds the Automatic latency metric. */
  automatic?: boolean;
  /** Only batches whose lease expired (the sweep's resend), no new claims. */
  expiredOnly?: boolean;
}

export async function pushScope(
  ctx: RuntimeContext,
  scope: Scope,
  send: Send,
  batchSize: number,
  runStartedAt: Date,
  mode: PushMode = {},
): Promise<PushReport> {
  const { db, opts } = ctx;
  const report: PushReport = { batches: 0, delivered: 0, failed: 0, skipped: 0, requeued: 0, more: false };
  await skipExpired(db, scope, opts.policy.maxAgeMs);
  // Store commands per record (docs/benchmarks.md, "Push path"): candidates are read ahead for the
  // run's next claims, and finished batches are deleted together (one command per 50 batches).
  const ahead: Lookahead = { items: [] };
  const finished: string[] = [];
  try {
    await pushBatches(ctx, scope, send, batchSize, runStartedAt, mode, report, { ahead, finished });
  } finally {
    // Not the run's failure: a finished batch left behind is deleted by whoever takes it over.
    await deleteFinished(db, finished).catch((err) =>
      opts.log.warn(
        { err: (err as Error).message, batches: finished.length },
        "finished batches not deleted",
      ),
    );
  }
  return report;
}

async function pushBatches(
  ctx: RuntimeContext,
  scope: Scope,
  send: Send,
  batchSize: number,
  runStartedAt: Date,
  mode: PushMode,
  report: PushReport,
  run: { ahead: Lookahead; finished: string[] },
): Promise<void> {
  const { db, opts } = ctx;
  for (;;) {
    const t0 = Date.now();
    if (ctx.stopping || report.batches >= opts.maxBatchesPerRun) {
      report.more = true;
      break;
    }
    const claim = mode.expiredOnly ? takeOverExpired : claimBatch;
    const batch = await claim(db, scope, {
      owner: opts.owner,
      leaseMs: opts.batchLeaseMs,
      max: batchSize,
      runStartedAt,
      policy: opts.policy,
      takeOver: report.batches === 0, // a batch expiring later in this run waits for the next run
      ahead: run.ahead,
    });
    opts.log.debug({ scope, claimMs: Date.now() - t0 }, "claimed");
    if (!batch) break;
    report.batches += 1;
    const claimedAt = Date.now();
    const result = await sendWithLease(ctx, batch, send);
    const sentAt = Date.now();
    const out = await completeBatch(db, batch, result, opts.policy, { finished: run.finished });
    if (run.finished.length >= 50) await deleteFinished(db, run.finished);
    opts.log.debug(
      { batch: batch._id, n: batch.items.length, sendMs: sentAt - claimedAt, recordMs: Date.now() - sentAt },
      "batch done",
    );
    if (!out) {
      opts.log.warn({ batch: batch._id, scope }, "batch lease lost; its new owner finishes it");
      continue;
    }
    observe(ctx, batch, out, mode.automatic === true);
    report.delivered += out.delivered.length;
    report.failed += out.failed.length;
    report.skipped += out.skipped.length;
    if (out.held.length > 0) report.held = (report.held ?? 0) + out.held.length;
    report.requeued += out.requeued.length;
    report.reason ??= result.failed[0]?.error;
  }
}

/** Feeds the metrics hooks: outcomes per batch, and arrival → acknowledged for Automatic runs. */
function observe(ctx: RuntimeContext, batch: ClaimedBatch, out: Outcome, automatic: boolean): void {
  const { hooks } = ctx.opts;
  for (const outcome of ["delivered", "failed", "skipped", "held", "requeued"] as const) {
    if (out[outcome].length > 0) hooks.countTransmission(batch.service, outcome, out[outcome].length);
  }
  if (!automatic || out.delivered.length === 0) return;
  const now = Date.now();
  const delivered = new Set(out.delivered);
  for (const item of batch.items) {
    if (!delivered.has(item.recordId)) continue;
    const arrived = new Date(item.queuedAt ?? item.record.createdAt).getTime();
    hooks.observeAutomaticLatency(Math.max(0, now - arrived) / 1000, batch.service);
  }
}

/** Sends while renewing the batch lease; a failed request fails every record of the batch. */
async function sendWithLease(ctx: RuntimeContext, batch: ClaimedBatch, send: Send): Promise<BatchResult> {
  const { db, opts } = ctx;
  let lost = false;
  const timer = setInterval(
    () => {
      renewBatch(db, batch, opts.batchLeaseMs).catch((err) => {
        if (err instanceof LostBatchError) lost = true;
      });
    },
    Math.max(100, opts.batchLeaseMs / 3),
  );
  try {
    return await send(batch.items, batch._id);
  } catch (err) {
    // The error's facts are read from its fields (ConnectorError), never from its message.
    const e = err as Error & Partial<Pick<ConnectorError, "retryAfterMs" | "retryable">>;
    opts.log.warn({ batch: batch._id, err: e.message, retryable: e.retryable, lost }, "batch send failed");
    return failAll(batch, e.message || String(err), {
      retryAfterMs: e.retryAfterMs,
      retryable: e.retryable,
      deferred: err instanceof BudgetWaitError,
    });
  } finally {
    clearInterval(timer);
  }
}
