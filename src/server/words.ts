// Plain words for the reconcile's outcomes and plans (status page, start's banner). One outcome,
// one word: "in-sync" and the poll's "unchanged" (the commit seen before, not compared again)
// both read "in sync".

import { count } from "../platform/words.js";
import type { PlanSummary } from "../reconcile/history.js";

/** The word for a reconcile outcome. */
export function outcomeWord(outcome: string): string {
  if (outcome === "in-sync" || outcome === "unchanged") return "in sync";
  return outcome;
}

/** What a plan did or would do: "created 31 jobs", "updated 2 jobs, deleted 1 job", "no change". */
export function planWords(s: PlanSummary | undefined, done = true): string {
  if (!s) return "no plan yet";
  const parts: string[] = [];
  if (s.create) parts.push(`${done ? "created" : "create"} ${count(s.create, "job")}`);
  if (s.update) parts.push(`${done ? "updated" : "update"} ${count(s.update, "job")}`);
  if (s.delete) parts.push(`${done ? "deleted" : "delete"} ${count(s.delete, "job")}`);
  return parts.length ? parts.join(", ") : `no change (${count(s.unchanged, "job")} as in git)`;
}

/** Drift in words: "in sync with git", "2 jobs differ from git", or why it is unknown. */
export function driftWords(pending: number | undefined, lastOutcome?: string): string {
  if (pending === undefined)
    return lastOutcome ? `unknown (the last reconcile ${lastOutcome})` : "unknown (no reconcile yet)";
  if (pending === 0) return "in sync with git";
  return `${count(pending, "job")} ${pending === 1 ? "differs" : "differ"} from git`;
}
