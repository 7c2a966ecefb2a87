// The pull-request comment for a plan, Atlantis-style: the summary first, then the changes as a
// ```diff block, and a warning when the PR is behind its base branch. A pure function.

import { count } from "../../platform/words.js";
import { ALLOW_TRAILER, GUARDS, type GuardHit, guardReason } from "../../reconcile/guards.js";
import type { PlanSummary } from "../../reconcile/history.js";
import type { View } from "./view.js";

/** The parts of a Plan (src/jobs/types.ts) the comment uses. */
export interface CommentPlan {
  changes: readonly {
    action: string;
    key: string;
    reason?: string;
    before?: unknown;
    after?: unknown;
  }[];
  summary: PlanSummary;
}

export interface CommentMeta {
  /** The PR head commit the plan was computed for. */
  revision: string;
  /** The revision currently applied in the target environment, if any. */
  appliedRevision?: string;
  /** Target environment name, e.g. "production". */
  environment?: string;
  /** False when the PR branch does not contain the base branch's head. */
  upToDate?: boolean;
  baseBranch?: string;
  /** How many base-branch commits the PR lacks. */
  behindBy?: number;
  /** One line from `schedsync simulate` (the peak), if run. */
  simulation?: string;
  /** Link to the CI run. */
  runUrl?: string;
  /** Changes listed before truncating (default 300). */
  maxChanges?: number;
  /** The guards the plan hits (plan --json `guards`): apply refuses each without approval. */
  guards?: readonly GuardHit[];
  /** Job key → next run times, ISO (plan --json `nextRuns`), for created and rescheduled jobs. */
  nextRuns?: Readonly<Record<string, readonly string[]>>;
}

/** Hidden marker the workflow uses to find and update its one comment. */
export const COMMENT_MARKER = "<!-- schedsync-plan -->";
/** GitHub rejects comments longer than 65,536 characters. */
const MAX_CHARS = 60_000;

const ORDER = ["create", "update", "delete"];

function short(sha: string | undefined): string {
  return sha ? sha.slice(0, 12) : "nothing";
}

export function summaryLine(s: PlanSummary): string {
  const pending = s.create + s.update + s.delete;
  if (pending === 0)
    return `**No changes.** ${count(s.unchanged, "job")} already ${s.unchanged === 1 ? "matches" : "match"} the schedules.`;
  return `**Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete** (${s.unchanged} unchanged).`;
}

function value(v: unknown): string {
  if (v === undefined) return "—";
  if (v instanceof Date) return v.toISOString();
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** Only the fields that differ, so an update reads as `- field: old` / `+ field: new`. */
function updateLines(key: string, before: unknown, after: unknown): string[] {
  const b = record(before);
  const a = record(after);
  if (!b || !a) return [`- ${key}  ${value(before)}`, `+ ${key}  ${value(after)}`];
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]),
  );
  const out: string[] = [];
  for (const f of fields) out.push(`-     ${f}: ${value(b[f])}`, `+     ${f}: ${value(a[f])}`);
  return out;
}

function describe(v: unknown): string {
  const r = record(v);
  if (!r) return v === undefined ? "" : `  ${value(v)}`;
  const picks = ["repeatInterval", "repeat", "schedule", "frequency", "timezone", "disabled"]
    .filter((k) => r[k] !== undefined)
    .map((k) => `${k}: ${value(r[k])}`);
  return picks.length ? `  (${picks.join(", ")})` : "";
}

export function diffLines(plan: CommentPlan, max = 300): { lines: string[]; omitted: number } {
  const changes = plan.changes
    .filter((c) => ORDER.includes(c.action))
    .slice()
    .sort((x, y) => ORDER.indexOf(x.action) - ORDER.indexOf(y.action) || x.key.localeCompare(y.key));
  const lines: string[] = [];
  for (const c of changes.slice(0, max)) {
    const why = c.reason ? `  # ${c.reason}` : "";
    if (c.action === "create") lines.push(`+ ${c.key}${describe(c.after)}${why}`);
    else if (c.action === "delete") lines.push(`- ${c.key}${describe(c.before)}${why}`);
    else lines.push(`! ${c.key}${why}`, ...updateLines(c.key, c.before, c.after));
  }
  return { lines, omitted: Math.max(0, changes.length - max) };
}

/** One CAUTION block: what each guard is, and the trailer that approves it on merge. */
function guardLines(guards: readonly GuardHit[]): string[] {
  if (guards.length === 0) return [];
  const out = ["", "> [!CAUTION]"];
  for (const g of guards) {
    const trailer = GUARDS[g.guard]?.trailer ?? g.guard;
    out.push(
      `> **${g.guard}**: ${guardReason(g)}: apply will refuse without approval. To approve, end the merge commit message with \`${ALLOW_TRAILER}: ${trailer}\` (or run the reconcile workflow by hand with \`${g.flag.slice(2)}\`).`,
    );
  }
  return out;
}

/** The windows a string array field holds (SpecView.blackout), or none. */
function windowsOf(v: unknown): string[] {
  const w = record(v)?.blackout;
  return Array.isArray(w) ? w.filter((x): x is string => typeof x === "string") : [];
}

/**
 * Blackout windows added (+) and removed (-), once per merchant or cart however many of its jobs
 * carry them (a job's key without its service names its owner).
 */
export function blackoutLines(plan: CommentPlan): string[] {
  const rows = new Set<string>();
  for (const c of plan.changes) {
    const before = windowsOf(c.before);
    const after = windowsOf(c.after);
    const owner = c.key.slice(0, c.key.lastIndexOf("/"));
    for (const w of after) if (!before.includes(w)) rows.add(`+ ${owner}: ${w}`);
    for (const w of before) if (!after.includes(w)) rows.add(`- ${owner}: ${w}`);
  }
  if (rows.size === 0) return [];
  const sorted = [...rows].sort((a, b) => a.slice(2).localeCompare(b.slice(2)) || a.localeCompare(b));
  return [
    "",
    "**Blackout windows** changed (no transmission starts inside; a run due inside runs once at the end):",
    "",
    "```diff",
    ...sorted,
    "```",
  ];
}

function nextRunLines(nextRuns: Readonly<Record<string, readonly string[]>>, max: number): string[] {
  const keys = Object.keys(nextRuns).sort();
  if (keys.length === 0) return [];
  const rows = keys.slice(0, max).map((k) => {
    const runs = nextRuns[k] ?? [];
    return `| \`${k}\` | ${runs.length ? runs.map((r) => r.replace(/:00\.000Z$/, "Z")).join(", ") : "no timer (automatic or disabled)"} |`;
  });
  const more = keys.length > max ? ["", `... and ${count(keys.length - max, "more job")}.`] : [];
  return [
    "",
    "<details><summary>Next runs of changed jobs (UTC)</summary>",
    "",
    "| job | next runs |",
    "| --- | --- |",
    ...rows,
    ...more,
    "",
    "</details>",
  ];
}

export function renderPlanComment(plan: CommentPlan, meta: CommentMeta): string {
  const env = meta.environment ? ` for **${meta.environment}**` : "";
  const parts: string[] = [COMMENT_MARKER, `### schedsync plan${env}`, "", summaryLine(plan.summary), ""];
  parts.push(
    `Planned for \`${short(meta.revision)}\` against the applied revision \`${short(meta.appliedRevision)}\`.`,
  );
  if (meta.upToDate === false) {
    const base = meta.baseBranch ?? "the base branch";
    const behind = meta.behindBy ? ` (${count(meta.behindBy, "commit")} behind)` : "";
    parts.push(
      "",
      `> [!WARNING]\n> This PR is not up to date with \`${base}\`${behind}. The plan may not be what merging applies; update the branch and the plan runs again.`,
    );
  }
  parts.push(...guardLines(meta.guards ?? []));
  if (meta.simulation) parts.push("", `Load: ${meta.simulation}`);
  const { lines, omitted } = diffLines(plan, meta.maxChanges);
  if (lines.length) {
    let body = lines.join("\n");
    if (body.length > MAX_CHARS)
      body = `${body.slice(0, body.lastIndexOf("\n", MAX_CHARS))}\n# ... truncated`;
    parts.push("", "<details open><summary>Changes</summary>", "", "```diff", body, "```");
    if (omitted)
      parts.push("", `... and ${count(omitted, "more change")}; run \`schedsync plan\` locally for all.`);
    parts.push("", "</details>");
  }
  parts.push(...blackoutLines(plan));
  parts.push(...nextRunLines(meta.nextRuns ?? {}, meta.maxChanges ?? 300));
  if (meta.runUrl) parts.push("", `<sub>[CI run](${meta.runUrl}) · updated on every push</sub>`);
  return `${parts.join("\n")}\n`;
}

/** `plan-comment`: the markdown as text; --json gives it with the summary, for scripts. */
export function planCommentView(meta: CommentMeta): View<CommentPlan> {
  return {
    text: (plan) => renderPlanComment(plan, meta).replace(/\n$/, ""),
    json: (plan) => ({
      marker: COMMENT_MARKER,
      summary: plan.summary,
      markdown: renderPlanComment(plan, meta),
    }),
  };
}
