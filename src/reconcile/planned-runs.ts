// The coming runs of the jobs a plan creates or reschedules, for the plan output and the PR comment:
// a reviewer sees when a changed schedule will really fire before merging.

import type { Plan } from "../jobs/types.js";
import { firstRunAt } from "../jobs/writes.js";
import { nextRuns } from "../schedule/next-runs.js";

/** Job key → its next run instants (UTC); [] for automatic and disabled jobs (no timer). */
export type PlannedRuns = Record<string, Date[]>;

/**
 * For each create and each rescheduled update in `plan`: the first `count` runs when applied at
 * `now`, the first computed as apply computes it (firstRunAt), the rest as the worker will
 * (nextRuns, schedule/next-runs.ts). Updates that keep their timing keep their nextRunAt: not listed.
 */
export function plannedRuns(plan: Plan, now: Date, count = 3): PlannedRuns {
  const first = firstRunAt(now);
  // Thousands of created jobs share a handful of schedules: compute each list once.
  const cache = new Map<string, Date[]>();
  const out: PlannedRuns = {};
  for (const c of plan.changes) {
    if (c.action === "delete" || (c.action === "update" && !c.rescheduled)) continue;
    const start = c.job.disabled ? null : first(c.job);
    if (!start) {
      out[c.key] = [];
      continue;
    }
    const id = `${c.job.timezone}\0${JSON.stringify(c.job.schedule)}\0${start.getTime()}`;
    let runs = cache.get(id);
    if (!runs) {
      runs = [start, ...nextRuns(c.job.schedule, c.job.timezone, start, count - 1)];
      cache.set(id, runs);
    }
    out[c.key] = runs;
  }
  return out;
}
