// Runs the injected reconcile function on request (webhook, poll, start-up), one at a time with
// bursts coalesced, and remembers the last outcome for /readyz and the status page.

import type { Logger } from "../platform/log.js";
import type { Metrics } from "../platform/metrics.js";
import type { Notify } from "../platform/notify.js";
import type { PlanSummary } from "../reconcile/history.js";
import { Coalescer } from "./coalesce.js";

export interface ReconcileResult {
  /** The commit applied or checked. */
  revision: string;
  /** E.g. "applied", "in-sync", "failed", "refused". */
  outcome: string;
  summary?: PlanSummary;
  error?: string;
}

/** What the server calls to reconcile; `reason` is for logs ("webhook", "poll", "startup"). */
export type ReconcileFn = (reason: string) => Promise<ReconcileResult>;

export interface LastReconcile extends ReconcileResult {
  at: Date;
  durationMs: number;
  reason: string;
}

const FAILED = new Set(["failed", "error", "refused"]);

export class Reconciler {
  last: LastReconcile | undefined;
  runs = 0;
  private readonly coalescer: Coalescer;
  private pendingReason = "request";

  constructor(
    private readonly fn: ReconcileFn,
    private readonly log: Logger,
    private readonly metrics?: Pick<Metrics, "recordReconcile">,
    private readonly notify?: Notify,
  ) {
    this.coalescer = new Coalescer(() => this.runOnce());
  }

  /** Asks for a reconcile; resolves when one that started after the request has finished. */
  request(reason: string): Promise<void> {
    this.pendingReason = reason;
    return this.coalescer.trigger();
  }

  get busy(): boolean {
    return this.coalescer.busy;
  }

  /** True unless the last reconcile failed (no reconcile yet counts as healthy). */
  get healthy(): boolean {
    return !this.last || !FAILED.has(this.last.outcome);
  }

  stop(): Promise<void> {
    return this.coalescer.stop();
  }

  private async runOnce(): Promise<void> {
    const reason = this.pendingReason;
    const started = Date.now();
    this.runs++;
    let result: ReconcileResult;
    try {
      result = await this.fn(reason);
    } catch (err) {
      result = { revision: this.last?.revision ?? "", outcome: "failed", error: errorText(err) };
    }
    const durationMs = Date.now() - started;
    this.last = { ...result, at: new Date(), durationMs, reason };
    this.metrics?.recordReconcile(result.outcome, durationMs / 1000);
    const fields = {
      reason,
      revision: result.revision,
      outcome: result.outcome,
      durationMs,
      summary: result.summary,
    };
    if (FAILED.has(result.outcome)) {
      this.log.error({ ...fields, error: result.error }, "reconcile failed");
      this.notify?.({
        kind: "apply-failed",
        key: `${result.revision}\0${result.error ?? ""}`,
        text: `schedsync: applying ${result.revision.slice(0, 12) || "the schedules"} ${result.outcome}: ${result.error ?? "no reason given"}`,
      });
    } else if (result.outcome === "unchanged") this.log.debug(fields, "reconcile: commit unchanged");
    else this.log.info(fields, `reconcile ${result.outcome}`);
  }
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
}
