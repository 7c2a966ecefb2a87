// Gathers the status page's data; a store that does not answer yields a page that says so.
import type { Db } from "mongodb";
import { DEFAULT_STALE_AFTER_RUNS, healthState } from "../jobs/freshness.js";
import { type JobHealthRow, readJobHealth } from "../jobs/health.js";
import { countJobs, upcomingJobRuns } from "../jobs/repository.js";
import { runsPerHour } from "../jobs/run-hours.js";
import { type HistoryEntry, listHistory, type PlanSummary, readApplied } from "../reconcile/history.js";
import { readStatus } from "../reconcile/status.js";
import { type IsAutomatic, recentActivity } from "../records/activity.js";
import { pingStore } from "./readiness.js";
import type { LastReconcile } from "./reconciler.js";
import type { RecordsCounter } from "./record-counts.js";
import { blackoutRows } from "./status-blackout.js";
import type { StatusData } from "./status-page.js";

const SETTLED = new Set(["applied", "in-sync", "unchanged"]);

/** The latest plan, and how much of it is still pending given how that reconcile ended. */
export function driftOf(
  last: LastReconcile | undefined,
  history: HistoryEntry[],
): { plan?: PlanSummary; pending?: number } {
  const latest = last ?? history[0];
  if (!latest) return {};
  const plan = latest.summary ?? history[0]?.summary;
  if (SETTLED.has(latest.outcome)) return { plan, pending: 0 };
  return { plan, pending: plan ? plan.create + plan.update + plan.delete : undefined };
}

/** The deliveries of the jobs whose schedule is Automatic (their latency is the chart's). */
function automaticScopes(rows: JobHealthRow[]): IsAutomatic {
  const id = (merchantId: string, cartId: string | null, service: string) =>
    JSON.stringify([merchantId, cartId, service]);
  const keys = new Set(
    rows.filter((j) => j.schedule.kind === "automatic").map((j) => id(j.merchantId, j.cartId, j.service)),
  );
  return (d) => keys.has(id(d.merchantId, d.cartId, d.service));
}

export async function gatherStatus(opts: {
  db: Db;
  storeUri: string;
  last?: LastReconcile;
  records?: RecordsCounter;
  agendash: boolean;
  /** k of the staleness rule (jobs/health.ts). */
  staleAfterRuns?: number;
  /** How long the store ping may take, ms (default: pingStore's). */
  pingTimeoutMs?: number;
}): Promise<StatusData> {
  const base: StatusData = {
    generatedAt: new Date(),
    storeUri: opts.storeUri,
    storeOk: await pingStore(opts.db, opts.pingTimeoutMs),
    last: opts.last,
    drift: driftOf(opts.last, []),
    history: [],
    records: [],
    nextRuns: [],
    health: [],
    activity: { hours: [], reasons: [] },
    runs: [],
    agendash: opts.agendash,
  };
  if (!base.storeOk) return base;
  const [applied, history, jobs, runs, records, status, healthRows, runHours] = await Promise.all([
    readApplied(opts.db),
    listHistory(opts.db, 10),
    countJobs(opts.db),
    upcomingJobRuns(opts.db, 15),
    opts.records ? opts.records(opts.db).catch(() => []) : Promise.resolve([]),
    readStatus(opts.db),
    readJobHealth(opts.db),
    runsPerHour(opts.db, { now: base.generatedAt }),
  ]);
  const activity = await recentActivity(opts.db, {
    now: base.generatedAt,
    automatic: automaticScopes(healthRows),
  });
  const k = opts.staleAfterRuns ?? DEFAULT_STALE_AFTER_RUNS;
  const health = healthRows.map((j) => ({ ...j, state: healthState(j, base.generatedAt, k) }));
  const held = status.jobs.filter((j) => j.paused || j.suspended || j.drift);
  const drift = {
    ...driftOf(opts.last, history),
    handEdited: status.drifted,
    paused: status.jobs.filter((j) => j.paused).length,
  };
  return {
    ...base,
    applied,
    history,
    jobs,
    nextRuns: runs,
    records,
    health,
    activity,
    runs: runHours,
    drift,
    held,
    blackout: blackoutRows(healthRows, base.generatedAt),
  };
}
