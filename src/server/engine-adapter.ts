// Adapts the reconcile engine (src/reconcile/engine.ts) to the server's ReconcileFn. A poll that
// finds the same commit as the last good reconcile does not run the engine again (no history
// record every minute); webhooks and start-up always run it.
import type { Db } from "mongodb";
import { reconcile } from "../reconcile/engine.js";
import type { PlanSummary } from "../reconcile/history.js";
import { readRevision } from "../reconcile/source.js";
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
): ReconcileFn {
  let lastGood: string | undefined;
  return async (reason) => {
    if (reason === "poll" && lastGood) {
      const rev = await readRevision(target);
      if (rev.sha === lastGood) return { revision: rev.sha, outcome: "unchanged" };
    }
    const result = toResult(await reconcile({ db: store.db, ...target, log }));
    if (result.outcome === "applied" || result.outcome === "in-sync") lastGood = result.revision;
    return result;
  };
}
