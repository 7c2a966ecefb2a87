// Adapts the reconcile engine (src/reconcile/engine.ts) to the server's ReconcileFn. Start-up
// compares every job; polls and webhooks of an applied revision compare them again only once the
// last comparison is older than recheckAfterMs (the engine's fast path: no load, no job read, no
// history record every minute).
import type { Db } from "mongodb";
import { reconcile } from "../reconcile/engine.js";
import type { PlanSummary } from "../reconcile/history.js";
import type { ReconcileFn, ReconcileResult } from "./reconciler.js";

export interface EngineTarget {
  repo?: string;
  ref?: string;
  dir?: string;
}

/** Maps the engine's result ({ revision: {sha}, plan, outcome }) to a ReconcileResult. */
export function toResult(out: {
  revision: { sha: string } | string;
  plan?: { summary: PlanSummary };
  outcome: string;
}): ReconcileResult {
  const revision = typeof out.revision === "string" ? out.revision : out.revision.sha;
  return { revision, outcome: out.outcome, summary: out.plan?.summary };
}

export function engineReconcile(
  store: { db: Db },
  target: EngineTarget,
  log?: (line: string) => void,
  recheckAfterMs = 15 * 60_000,
): ReconcileFn {
  return async (reason) => {
    const out = await reconcile({
      db: store.db,
      ...target,
      log,
      recheckAfterMs: reason === "startup" ? 0 : recheckAfterMs,
    });
    const result = toResult(out);
    return out.compared || out.outcome !== "in-sync" ? result : { ...result, outcome: "unchanged" };
  };
}
