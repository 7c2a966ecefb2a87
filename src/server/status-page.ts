// The status page: server-rendered HTML, no framework, every value escaped.

import type { JobCounts, NextRun } from "../jobs/repository.js";
import type { AppliedState, HistoryEntry, PlanSummary } from "../reconcile/history.js";
import type { JobStatus } from "../reconcile/status.js";
import type { LastReconcile } from "./reconciler.js";
import type { RecordCount } from "./record-counts.js";

export interface StatusData {
  generatedAt: Date;
  storeUri: string;
  storeOk: boolean;
  applied?: AppliedState;
  last?: LastReconcile;
  /** The latest plan and how many of its changes are still not applied (undefined: unknown). */
  drift: { plan?: PlanSummary; pending?: number; handEdited?: number; paused?: number };
  /** Jobs paused, suspended in YAML or edited by hand (reconcile/status.ts), by key. */
  held?: JobStatus[];
  history: HistoryEntry[];
  jobs?: JobCounts;
  /** Only failed, skipped and held records are shown. */
  records: RecordCount[];
  nextRuns: NextRun[];
  agendash: boolean;
}

export function escapeHtml(v: unknown): string {
  return String(v ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const e = escapeHtml;

function when(d: Date | string | undefined): string {
  if (!d) return "—";
  const date = d instanceof Date ? d : new Date(d);
  return `<time datetime="${e(date.toISOString())}">${e(date.toISOString().replace("T", " ").slice(0, 19))} UTC</time>`;
}

function table(head: string[], rows: string[][], empty: string): string {
  if (!rows.length) return `<p class="empty">${e(empty)}</p>`;
  const th = head.map((h) => `<th>${e(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function summaryText(s: PlanSummary | undefined): string {
  if (!s) return "—";
  return `+${s.create} ~${s.update} -${s.delete} =${s.unchanged}`;
}

function appliedSection(d: StatusData): string {
  const a = d.applied;
  const rev = a ? `<code id="applied-revision">${e(a.revision)}</code>` : "<em>nothing applied yet</em>";
  const { pending, handEdited = 0, paused = 0 } = d.drift;
  // Never "in sync" while a job differs from what schedsync wrote (a hand edit, e.g. in Agendash).
  const parts = [
    handEdited > 0 ? `${handEdited} job(s) edited by hand` : "",
    pending === undefined
      ? "unknown"
      : pending > 0
        ? `${pending} change(s) pending`
        : handEdited
          ? ""
          : "in sync",
    paused > 0 ? `${paused} job(s) paused` : "",
  ];
  const driftText = parts.filter(Boolean).join(" · ");
  return `<section><h2>Applied revision</h2>
<dl>
<dt>Revision</dt><dd>${rev}</dd>
<dt>Applied</dt><dd>${when(a?.appliedAt)}</dd>
<dt>Commit</dt><dd>${e(a?.message?.split("\n")[0] ?? "—")} ${a?.author ? `(${e(a.author)})` : ""}</dd>
<dt>Drift</dt><dd class="drift">${e(driftText)} <small>latest plan ${e(summaryText(d.drift.plan))}</small></dd>
<dt>Last reconcile</dt><dd>${d.last ? `${e(d.last.outcome)} (${e(d.last.reason)}) ${when(d.last.at)}${d.last.error ? ` — <span class="bad">${e(d.last.error)}</span>` : ""}` : "—"}</dd>
<dt>Store</dt><dd>${d.storeOk ? "reachable" : '<span class="bad">unreachable</span>'} <code>${e(d.storeUri)}</code></dd>
</dl></section>`;
}

function historySection(d: StatusData): string {
  const rows = d.history.map((h) => [
    when(h.startedAt),
    `<code>${e(h.revision.slice(0, 12))}</code>`,
    `<span class="${h.outcome === "failed" || h.outcome === "refused" ? "bad" : "ok"}">${e(h.outcome)}</span>`,
    e(summaryText(h.summary)),
    e(`${(h.durationMs / 1000).toFixed(1)} s`),
    e(h.error ?? h.message.split("\n")[0] ?? ""),
  ]);
  return `<section><h2>Last reconciles</h2>${table(["Started", "Revision", "Outcome", "Plan", "Took", "Message"], rows, "No reconciles recorded yet.")}</section>`;
}

/** Delivery states a person should look at; `held` waits for a resend. */
const NEEDS_LOOK = new Set(["failed", "skipped", "held"]);

function recordsSection(d: StatusData): string {
  const rows = d.records
    .filter((r) => NEEDS_LOOK.has(r.state))
    .sort((a, b) => a.merchantId.localeCompare(b.merchantId) || a.kind.localeCompare(b.kind))
    .map((r) => [
      e(r.merchantId),
      e(r.kind),
      `<span class="${r.state === "failed" ? "bad" : "warn"}">${e(r.state)}</span>`,
      e(r.count),
    ]);
  return `<section id="records"><h2>Failed, skipped and held records</h2>${table(["Merchant", "Kind", "State", "Records"], rows, "No failed, skipped or held records.")}</section>`;
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v ?? null));

function heldSection(d: StatusData): string {
  if (!d.held?.length) return "";
  const rows = d.held.map((j) => [
    `<code>${e(j.key)}</code>`,
    j.paused
      ? `paused by ${e(j.paused.by)} since ${when(j.paused.since)}${j.paused.until ? ` until ${when(j.paused.until)}` : ""}: ${e(j.paused.reason)}`
      : "",
    j.suspended
      ? `suspended (${e(j.suspended.scope)})${j.suspended.until ? ` until ${when(j.suspended.until)}` : ""}${j.suspended.reason ? `: ${e(j.suspended.reason)}` : ""}`
      : "",
    (j.drift ?? [])
      .map((f) => `<span class="bad">${e(f.field)}: ${e(show(f.before))} → ${e(show(f.after))}</span>`)
      .join("<br>"),
  ]);
  return `<section id="held"><h2>Paused, suspended and hand-edited jobs</h2>${table(["Job", "Paused", "Suspended in YAML", "Edited by hand"], rows, "")}</section>`;
}

function jobsSection(d: StatusData): string {
  const j = d.jobs;
  const counts = j
    ? `<p>${e(j.scheduled)} scheduled · ${e(j.disabled)} disabled · ${e(j.running)} running · ${e(j.failed)} failed</p>`
    : "";
  const rows = d.nextRuns.map((r) => [
    when(r.nextRunAt),
    e(r.merchantId ?? "—"),
    e(r.service ?? "—"),
    `<code>${e(r.name)}</code>`,
  ]);
  const link = d.agendash ? ' <a href="agendash/">Open Agendash</a>' : "";
  return `<section><h2>Next runs</h2>${counts}${table(["When", "Merchant", "Service", "Job"], rows, "No scheduled jobs.")}${link}</section>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}h2{font-size:1.1rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
dl{display:grid;grid-template-columns:10rem 1fr;gap:.2rem 1rem}dt{color:#57606a}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eaeef2}
code{font:12px ui-monospace,monospace}.bad{color:#cf222e;font-weight:600}.warn{color:#9a6700}.ok{color:#1a7f37}.empty{color:#57606a}`;

export function renderStatusPage(d: StatusData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>schedsync status</title><style>${STYLE}</style></head>
<body><h1>schedsync status</h1><p class="empty">Generated ${when(d.generatedAt)}</p>
${appliedSection(d)}
${heldSection(d)}
${historySection(d)}
${recordsSection(d)}
${jobsSection(d)}
</body></html>
`;
}
