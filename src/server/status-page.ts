// The status page: server-rendered HTML, no framework, every value escaped.

import type { HealthState } from "../jobs/freshness.js";
import type { JobHealthRow } from "../jobs/health.js";
import type { JobCounts, NextRun } from "../jobs/repository.js";
import type { RunHour } from "../jobs/run-hours.js";
import { formatMeasured } from "../platform/duration.js";
import { count } from "../platform/words.js";
import type { AppliedState, HistoryEntry, PlanSummary } from "../reconcile/history.js";
import type { JobStatus } from "../reconcile/status.js";
import type { Activity } from "../records/activity.js";
import type { LastReconcile } from "./reconciler.js";
import type { RecordCount } from "./record-counts.js";
import type { BlackoutRow } from "./status-blackout.js";
import { latencyChart, recordsChart, runsChart } from "./status-charts.js";
import { driftWords, outcomeWord, planWords } from "./words.js";

/** A job's health row with its state word. */
export type JobHealthView = JobHealthRow & { state: HealthState };

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
  /** Every managed job with its health (the grid and the failures). */
  health: JobHealthView[];
  /** Deliveries per hour and failure reasons (the charts). */
  activity: Activity;
  /** Runs per hour, succeeded and failed (the runs chart). */
  runs: RunHour[];
  agendash: boolean;
  /** Per merchant and cart with blackout windows: the active and the next one (status-blackout.ts). */
  blackout?: BlackoutRow[];
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
  return s ? planWords(s) : "—";
}

/** Drift in words; never "in sync" while a job differs from what schedsync wrote (a hand edit). */
function driftText(d: StatusData): string {
  const { pending, handEdited = 0, paused = 0 } = d.drift;
  return [
    handEdited > 0 ? `${count(handEdited, "job")} edited by hand` : "",
    handEdited > 0 && pending === 0 ? "" : driftWords(pending, d.last?.outcome),
    paused > 0 ? `${count(paused, "job")} paused` : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/** A reconcile's outcome; "no changes" instead of "in sync" while hand edits are there. */
function syncWord(d: StatusData, outcome: string): string {
  const w = outcomeWord(outcome);
  return w === "in sync" && (d.drift.handEdited ?? 0) > 0 ? "no changes" : w;
}

function appliedSection(d: StatusData): string {
  const a = d.applied;
  const rev = a ? `<code id="applied-revision">${e(a.revision)}</code>` : "<em>nothing applied yet</em>";
  const pending = d.drift.pending;
  const planned = pending ? `latest plan: ${planWords(d.drift.plan, false)}` : "";
  return `<section><h2>Applied revision</h2>
<dl>
<dt>Revision</dt><dd>${rev}</dd>
<dt>Applied</dt><dd>${when(a?.appliedAt)}</dd>
<dt>Commit</dt><dd>${e(a?.message?.split("\n")[0] ?? "—")} ${a?.author ? `(${e(a.author)})` : ""}</dd>
<dt>Drift</dt><dd class="drift">${e(driftText(d))} <small>${e(planned)}</small></dd>
<dt>Last reconcile</dt><dd>${d.last ? `${e(syncWord(d, d.last.outcome))} (${e(d.last.reason)}, ${e(formatMeasured(d.last.durationMs))}) ${when(d.last.at)}${d.last.error ? ` — <span class="bad">${e(d.last.error)}</span>` : ""}` : "—"}</dd>
<dt>Store</dt><dd>${d.storeOk ? "reachable" : '<span class="bad">unreachable</span>'} <code>${e(d.storeUri)}</code></dd>
</dl></section>`;
}

function historySection(d: StatusData): string {
  const rows = d.history.map((h) => [
    when(h.startedAt),
    `<code>${e(h.revision.slice(0, 12))}</code>`,
    `<span class="${h.outcome === "failed" || h.outcome === "refused" ? "bad" : "ok"}">${e(syncWord(d, h.outcome))}</span>`,
    e(summaryText(h.summary)),
    e(formatMeasured(h.durationMs)),
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
    e(r.cartId ?? "—"),
    e(r.service ?? "—"),
    `<code>${e(r.name)}</code>`,
  ]);
  const link = d.agendash ? ' <a href="agendash/">Open Agendash</a>' : "";
  return `<section id="next-runs"><h2>Next runs</h2>${counts}${table(["When", "Merchant", "Cart", "Service", "Job"], rows, "No scheduled jobs.")}${link}</section>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}h2{font-size:1.1rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
dl{display:grid;grid-template-columns:10rem 1fr;gap:.2rem 1rem}dt{color:#57606a}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eaeef2}
code{font:12px ui-monospace,monospace}.bad{color:#cf222e;font-weight:600}.warn{color:#9a6700}.ok{color:#1a7f37}.empty{color:#57606a}
.verdict{font-size:1.05rem;padding:.5rem .75rem;border-radius:6px;background:#f6f8fa}
.grid td.jobs{display:flex;flex-wrap:wrap;gap:.25rem}.chip{font-size:12px;padding:.05rem .4rem;border-radius:4px;border:1px solid}
.s-ok{background:#dafbe1;border-color:#4ac26b;color:#116329}.s-failing{background:#ffebe9;border-color:#ff8182;color:#a40e26}
.s-stale{background:#fff8c5;border-color:#d4a72c;color:#7d4e00}.s-suspended{background:#eaeef2;border-color:#afb8c1;color:#424a53}
.s-idle{background:#fff;border-color:#d0d7de;color:#57606a}
.charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}figcaption{font-size:12px;color:#57606a}.chart text{font:10px system-ui,sans-serif;fill:#57606a}.chart .axis{stroke:#afb8c1}
.chart .delivered{fill:#2da44e}.chart .failed{fill:#cf222e}.chart .latency{stroke:#0969da;fill:#0969da;stroke-width:2}`;

/** Worst first: the merchant's word in the grid is its worst job's. */
const SEVERITY: HealthState[] = ["failing", "stale", "ok", "idle", "suspended"];
const worst = (states: HealthState[]) => SEVERITY.find((s) => states.includes(s)) ?? "idle";

/** The five-second answer: how many jobs are in each state, and the drift. */
function verdict(d: StatusData): string {
  const counts = new Map<HealthState, number>();
  for (const j of d.health) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
  const parts = SEVERITY.filter((s) => counts.get(s)).map(
    (s) => `<span class="chip s-${s}">${e(counts.get(s))} ${e(s)}</span>`,
  );
  const store = d.storeOk ? "" : ' · <span class="bad">store unreachable</span>';
  return `<p class="verdict" id="verdict">${e(count(d.health.length, "job"))}: ${parts.join(" ") || "none yet"} · ${e(driftText(d))}${store}</p>`;
}

function jobLabel(j: JobHealthRow): string {
  return j.cartId ? `${j.cartId} ${j.service}` : j.service;
}

function jobTitle(j: JobHealthView): string {
  const h = j.health;
  const ok = h.lastSuccessAt ? `last success ${h.lastSuccessAt.toISOString()}` : "no success yet";
  const bad = h.lastFailureReason ? `; last failure: ${h.lastFailureReason}` : "";
  return `${j.key}: ${j.state} (${ok}${bad})`;
}

/** One row per merchant: its worst state and a chip per job. */
function gridSection(d: StatusData): string {
  const byMerchant = new Map<string, JobHealthView[]>();
  for (const j of d.health) byMerchant.set(j.merchantId, [...(byMerchant.get(j.merchantId) ?? []), j]);
  const rows = [...byMerchant.entries()].map(([m, jobs]) => {
    const w = worst(jobs.map((j) => j.state));
    const chips = jobs
      .map((j) => `<span class="chip s-${j.state}" title="${e(jobTitle(j))}">${e(jobLabel(j))}</span>`)
      .join("");
    return `<tr data-merchant="${e(m)}"><td><strong>${e(m)}</strong></td><td><span class="chip s-${w}">${e(w)}</span></td><td class="jobs">${chips}</td></tr>`;
  });
  const body = rows.length
    ? `<table class="grid"><thead><tr><th>Merchant</th><th>Health</th><th>Jobs</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`
    : '<p class="empty">No managed jobs yet.</p>';
  return `<section id="health"><h2>Health by merchant</h2>${body}</section>`;
}

/** Failing and stale jobs with their reason, then failed or held records by reason. */
function failuresSection(d: StatusData): string {
  const jobs = d.health
    .filter((j) => j.state === "failing" || j.state === "stale")
    .map((j) => [
      `<code>${e(j.key)}</code>`,
      `<span class="chip s-${j.state}">${e(j.state)}</span>`,
      e(j.health.consecutiveFailures),
      when(j.health.lastSuccessAt ?? undefined),
      e(j.health.lastFailureReason ?? (j.state === "stale" ? "no successful run in time" : "")),
    ]);
  const reasons = d.activity.reasons
    .slice(0, 15)
    .map((r) => [
      e(r.merchantId),
      e(r.cartId ?? "—"),
      e(r.service),
      `<span class="${r.state === "failed" ? "bad" : "warn"}">${e(r.state)}</span>`,
      e(r.count),
      e(r.reason),
    ]);
  return `<section id="failures"><h2>Failures and their reasons</h2>
${table(["Job", "Health", "Failed runs in a row", "Last success", "Reason"], jobs, "No failing or stale jobs.")}
<h3>Records not delivered (last 12 hours)</h3>
${table(["Merchant", "Cart", "Service", "State", "Records", "Reason"], reasons, "No failed or held records in the last 12 hours.")}</section>`;
}

/** Merchants and carts with blackout windows: the one they are in now, or the next. */
function blackoutSection(d: StatusData): string {
  const rows = (d.blackout ?? []).map((b) => [
    `<strong>${e(b.owner)}</strong>`,
    b.active ? `<span class="warn">now, until ${when(b.active.end)}</span>: ${e(b.active.window)}` : "—",
    b.next ? `${when(b.next.start)} to ${when(b.next.end)}: ${e(b.next.window)}` : "—",
    e(b.timezone),
  ]);
  if (!rows.length) return "";
  return `<section id="blackout"><h2>Blackout windows</h2><p>No transmission starts inside; a run due inside runs once at the window's end, Automatic records wait.</p>
${table(["Merchant or cart", "Active", "Next", "Timezone"], rows, "")}</section>`;
}

/** Runs per hour: the jobs' own outcomes (a run fails when it throws or no record got through). */
function runsSection(d: StatusData): string {
  if (!d.runs.length) return "";
  const total = (k: "succeeded" | "failed") => d.runs.reduce((n, h) => n + h[k], 0);
  return `<section id="runs"><h2>Runs, last 12 hours</h2>
<p>${e(count(total("succeeded"), "run"))} succeeded · ${e(total("failed"))} failed</p>
<figure>${runsChart(d.runs)}<figcaption>Runs per hour (UTC): <span class="ok">succeeded</span>, <span class="bad">failed</span></figcaption></figure></section>`;
}

function chartsSection(d: StatusData): string {
  const hours = d.activity.hours;
  if (!hours.length) return "";
  const total = (k: "delivered" | "failed") => hours.reduce((n, h) => n + h[k], 0);
  return `<section id="charts"><h2>Records, last 12 hours</h2>
<p>${e(count(total("delivered"), "record"))} delivered · ${e(total("failed"))} failed or held</p>
<div class="charts"><figure>${recordsChart(hours)}<figcaption>Records per hour (UTC): <span class="ok">delivered</span>, <span class="bad">failed or held</span></figcaption></figure>
<figure>${latencyChart(hours)}<figcaption>Automatic latency: median seconds from queued to delivered by Automatic services, per hour</figcaption></figure></div></section>`;
}

export function renderStatusPage(d: StatusData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>schedsync status</title><style>${STYLE}</style></head>
<body><h1>schedsync status</h1><p class="empty">Generated ${when(d.generatedAt)}</p>
${verdict(d)}
${gridSection(d)}
${blackoutSection(d)}
${failuresSection(d)}
${runsSection(d)}
${chartsSection(d)}
${appliedSection(d)}
${heldSection(d)}
${historySection(d)}
${recordsSection(d)}
${jobsSection(d)}
</body></html>
`;
}
