// `plan` and `apply`: the plan as a readable diff (+ create, ~ update, - delete, with the reason) or
// as JSON; `apply` adds its outcome. A rejected revision's errors render the same two ways.

import type { NextRunDrift, Plan, SpecView } from "../../jobs/types.js";
import type { ReconcileResult } from "../../reconcile/engine.js";
import type { RevisionRejectedError } from "../../reconcile/errors.js";
import { type GuardHit, guardReason } from "../../reconcile/guards.js";
import { canonicalText } from "./frequency.js";
import { pausedText } from "./pause.js";
import { fieldsText, suspendedText } from "./status.js";
import { configErrorLines } from "./validate.js";
import type { View } from "./view.js";

export function planJson(revision: string, plan: Plan) {
  return {
    revision,
    changes: plan.changes.map((c) => ({
      action: c.action,
      key: c.key,
      reason: c.reason,
      before: c.before,
      after: c.after,
      ...(c.action === "update" && c.nextRun ? { nextRun: c.nextRun } : {}),
      ...(c.action === "update" && c.fields && { fields: c.fields }),
    })),
    summary: plan.summary,
    ...(plan.paused && { paused: plan.paused }),
  };
}

function spec(v: SpecView | null): string {
  if (!v) return "";
  const state = v.suspended ? `, ${suspendedText(v.suspended)}` : v.disabled ? ", disabled" : "";
  const blackout = v.blackout?.length ? `; blackout: ${v.blackout.join("; ")}` : "";
  return `${canonicalText(v.frequency)} (${v.timezone}${state}${blackout})`;
}

function nextRunText(d: NextRunDrift | undefined): string {
  if (!d) return "";
  const at = d.nextRunAt ? `next run ${d.nextRunAt.toISOString()}` : "no next run";
  return `: ${at}, the schedule's next is ${d.scheduledBy.toISOString()}`;
}

/** "guard mass-delete: deletes 8 of 14 … : apply will refuse without --allow-mass-delete" (or: allowed). */
export function guardLine(hit: GuardHit): string {
  const verdict = hit.allowed ? `allowed by ${hit.flag}` : `apply will refuse without ${hit.flag}`;
  return `guard ${hit.guard}: ${guardReason(hit)}: ${verdict}`;
}

/** A readable diff: + create, ~ update, - delete, with the reason; then the guards hit. */
export function planText(revision: string, plan: Plan, guards: readonly GuardHit[] = []): string {
  const s = plan.summary;
  const lines = [`revision ${revision}`];
  for (const c of plan.changes) {
    if (c.action === "create") lines.push(`  + ${c.key}  ${spec(c.after)}`);
    else if (c.action === "delete") lines.push(`  - ${c.key}  ${spec(c.before)}  [${c.reason}]`);
    else {
      lines.push(
        `  ~ ${c.key}  ${spec(c.before)} → ${spec(c.after)}  [${c.reason}${nextRunText(c.nextRun)}]`,
      );
      if (c.reason === "drift" && c.fields?.length)
        lines.push(`      edited by hand: ${fieldsText(c.fields)}`);
    }
  }
  for (const p of plan.paused ?? [])
    lines.push(`  = ${p.key}  ${pausedText(p.pause)}${p.held ? `; holds back: ${p.held}` : ""}`);
  lines.push(
    `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged${
      plan.paused?.length ? `, ${plan.paused.length} paused (not written)` : ""
    }.`,
  );
  for (const g of guards) lines.push(guardLine(g));
  return lines.join("\n");
}

export const planView: View<ReconcileResult> = {
  text: (r) => planText(r.revision.sha, r.plan, r.guards),
  json: (r) => ({
    ...planJson(r.revision.sha, r.plan),
    appliedRevision: r.appliedRevision,
    guards: r.guards,
    nextRuns: r.nextRuns,
  }),
};

export const applyView: View<ReconcileResult> = {
  text: (r) =>
    // Skipped: nothing was planned, so the guard and why, not a plan of zeros.
    r.outcome === "skipped"
      ? [`revision ${r.revision.sha}`, ...r.guards.map(guardLine), r.note].join("\n")
      : `${planText(r.revision.sha, r.plan, r.guards)}\n${
          r.note ?? (r.outcome === "applied" ? "Applied." : "Already in sync; nothing written.")
        }`,
  json: (r) => ({
    ...planJson(r.revision.sha, r.plan),
    outcome: r.outcome,
    compared: r.compared,
    appliedRevision: r.appliedRevision,
    guards: r.guards,
    ...(r.note ? { note: r.note } : {}),
  }),
};

/** A revision that was refused: the text goes to stderr as the error, the JSON to stdout. */
export const rejectedView: View<RevisionRejectedError> = {
  text: (err) =>
    `${err.message}; nothing was changed${err.errors.length ? `\n${configErrorLines(err.errors)}` : ""}`,
  json: (err) => ({ error: err.message, errors: err.errors }),
};
