// When a job's stored run time agrees with its own schedule. Pure: the planner (drift) and the
// worker (after a run whose job was rescheduled meanwhile) both ask here.
import { nextAllowed } from "../schedule/blackout.js";
import { nextRunAfter } from "../schedule/next-runs.js";
import { canonicalJson } from "./spec-hash.js";
import type { JobSpec, NextRunDrift } from "./types.js";

/**
 * Slack on the latest allowed nextRunAt, in ms: clocks of workers and reconcilers differ by
 * seconds, and a run that starts late moves its next run by as much.
 */
export const NEXT_RUN_TOLERANCE_MS = 60_000;

/**
 * True when the run times change: schedule, timezone or repeat, or a disabled job is enabled again
 * (its old nextRunAt would be in the past and fire a catch-up run). Apply then recomputes nextRunAt.
 */
export function isRescheduled(before: JobSpec, after: JobSpec): boolean {
  const timing = (s: JobSpec) =>
    canonicalJson([s.schedule, s.timezone, s.repeatInterval, s.repeatTimezone, s.managedNextRun]);
  return timing(before) !== timing(after) || (before.disabled && !after.disabled);
}

/**
 * The latest nextRunAt an enabled periodic job may have at `now`: its schedule's next run after now
 * (`every`: now + the interval, whatever its phase), or the end of the blackout it falls in (a run
 * due inside a window is moved to its end). Undefined when the job has no timer (automatic, off,
 * disabled): any nextRunAt is then allowed.
 */
export function latestNextRun(spec: JobSpec, now: Date): Date | undefined {
  if (spec.disabled) return undefined;
  if (spec.repeatInterval === null && !spec.managedNextRun) return undefined;
  const s = spec.schedule;
  const next = s.kind === "every" ? new Date(now.getTime() + s.ms) : nextRunAfter(s, spec.timezone, now);
  return next ? nextAllowed(spec.blackout, spec.timezone, next) : undefined;
}

/**
 * The drift of a stored nextRunAt against the job's schedule at `now`: null, or later than
 * latestNextRun + NEXT_RUN_TOLERANCE_MS (e.g. a run ended after an apply and wrote back the next
 * run of the old schedule, agenda/agenda#1428). Undefined when nextRunAt agrees. An earlier one
 * is never drift: an overdue job runs at once.
 */
export function nextRunDrift(spec: JobSpec, nextRunAt: Date | null, now: Date): NextRunDrift | undefined {
  const latest = latestNextRun(spec, now);
  if (!latest) return undefined;
  if (nextRunAt && nextRunAt.getTime() <= latest.getTime() + NEXT_RUN_TOLERANCE_MS) return undefined;
  return { nextRunAt, scheduledBy: latest };
}
