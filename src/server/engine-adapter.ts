// Adapts the reconcile engine (src/reconcile/engine.ts, owned by the reconcile stage) to the
// server's ReconcileFn. Loaded at run time so the server does not depend on its exact shape.
import type { Db } from "mongodb";
import type { PlanSummary } from "../reconcile/history.js";
import type { ReconcileFn, ReconcileResult } from "./reconciler.js";

export interface EngineTarget {
  repo?: string;
  ref?: string;
  dir?: string;
}

type EngineFn = (opts: Record<string, unknown>) => Promise<unknown>;

/** Maps whatever the engine returns ({ revision, plan, outcome }) to a ReconcileResult. */
export function toResult(out: unknown): ReconcileResult {
  const o = (out ?? {}) as {
    revision?: unknown;
    plan?: { summary?: PlanSummary };
    outcome?: unknown;
    summary?: PlanSummary;
    error?: unknown;
  };
  const rev = o.revision as { sha?: unknown } | string | undefined;
  const revision = typeof rev === "string" ? rev : typeof rev?.sha === "string" ? rev.sha : "";
  const outcome =
    typeof o.outcome === "string"
      ? o.outcome
      : typeof (o.outcome as { outcome?: unknown })?.outcome === "string"
        ? String((o.outcome as { outcome: string }).outcome)
        : "applied";
  return {
    revision,
    outcome,
    summary: o.plan?.summary ?? o.summary,
    error: typeof o.error === "string" ? o.error : undefined,
  };
}

/** The engine is loaded on the first reconcile, so a missing or broken engine shows as a failed reconcile. */
export function engineReconcile(
  store: { db: Db },
  target: EngineTarget,
  load: () => Promise<{ reconcile?: EngineFn }> = () =>
    import(ENGINE_MODULE) as Promise<{ reconcile?: EngineFn }>,
): ReconcileFn {
  return async () => {
    const { reconcile } = await load();
    if (typeof reconcile !== "function")
      throw new Error("the reconcile engine (src/reconcile/engine.ts) exports no reconcile()");
    return toResult(await reconcile({ store, db: store.db, ...target, dryRun: false }));
  };
}

// A variable specifier keeps the compiler from requiring the module while it is being written.
const ENGINE_MODULE = "../reconcile/engine.js";
