// The planner: a pure function from desired and actual jobs to the changes that make actual equal
// desired. It compares hashes of normalised specs, never raw documents, so runtime fields cannot drift.

import { fieldChanges } from "../jobs/drift.js";
import { type Pause, pauseFor } from "../jobs/pauses.js";
import { specHash } from "../jobs/spec-hash.js";
import { isRescheduled, nextRunDrift } from "../jobs/timing.js";
import type { ActualJob, Change, DesiredJob, JobSpec, PausedJob, Plan, SpecView } from "../jobs/types.js";
import { describeWindow } from "../schedule/blackout.js";
import { compareKeys } from "./desired.js";

const ACTION_ORDER = { delete: 0, update: 1, create: 2 } as const;

export function specView(spec: JobSpec): SpecView {
  return {
    frequency: spec.frequency,
    timezone: spec.timezone,
    disabled: spec.disabled,
    ...(spec.suspended && { suspended: spec.suspended }),
    ...(spec.blackout?.length && { blackout: spec.blackout.map(describeWindow) }),
  };
}

export { isRescheduled };

function inSync(desired: DesiredJob, actual: ActualJob): boolean {
  return actual.storedHash === desired.specHash && specHash(actual.spec) === desired.specHash;
}

export interface PlanOptions {
  /**
   * The time the actual nextRunAt values were read at. With it, an actual nextRunAt that contradicts
   * the job's schedule (jobs/timing.ts nextRunDrift) is drift; without it, only specs are compared.
   */
  now?: Date;
  /** Runtime pauses (`schedsync pause`): a new job one of them covers is created held. */
  pauses?: readonly Pause[];
}

/** What apply would do to a paused job without the pause (its `disabled` is the pause's). */
function heldChange(want: DesiredJob | undefined, kept: ActualJob): PausedJob["held"] {
  if (!want) return "delete";
  const unpaused = { ...kept.spec, disabled: kept.pause?.disabledBefore ?? kept.spec.disabled };
  return kept.storedHash === want.specHash && specHash(unpaused) === want.specHash ? null : "update";
}

/**
 * The changes that make `actual` equal `desired`. Updates carry `reason: "drift"` when the config is
 * unchanged but the job was edited (then `fields` says how), or its nextRunAt contradicts its schedule
 * (then `nextRun` says how). A job held by `schedsync pause` (its document's pause mark) is never
 * written: it is listed in `paused` with the change it holds back; a new job a pause in `pauses` covers
 * is created held (docs/operations.md, the emergency pause). Throws on a duplicate desired key.
 */
export function plan(
  desired: readonly DesiredJob[],
  actual: readonly ActualJob[],
  opts: PlanOptions = {},
): Plan {
  const wanted = new Map<string, DesiredJob>();
  for (const job of desired) {
    if (wanted.has(job.key)) throw new Error(`duplicate desired job key: ${job.key}`);
    wanted.set(job.key, job);
  }
  const byKey = new Map<string, ActualJob[]>();
  for (const job of actual) {
    const list = byKey.get(job.key);
    if (list) list.push(job);
    else byKey.set(job.key, [job]);
  }

  const changes: Change[] = [];
  const paused: PausedJob[] = [];
  let unchanged = 0;
  for (const [key, found] of byKey) {
    const want = wanted.get(key);
    // Keep one document per key: one already in sync if any, else the lowest id. The rest are extras.
    const sorted = [...found].sort(
      (a, b) =>
        Number(want !== undefined && inSync(want, b)) - Number(want !== undefined && inSync(want, a)) ||
        compareKeys(a.id, b.id),
    );
    const [kept, ...extras] = sorted as [ActualJob, ...ActualJob[]];
    for (const extra of extras) {
      changes.push({
        action: "delete",
        key,
        reason: "duplicate",
        before: specView(extra.spec),
        after: null,
        id: extra.id,
      });
    }
    if (kept.pause) {
      paused.push({ key, pause: kept.pause, held: heldChange(want, kept) });
      continue;
    }
    if (!want) {
      changes.push({
        action: "delete",
        key,
        reason: "removed from config",
        before: specView(kept.spec),
        after: null,
        id: kept.id,
      });
      continue;
    }
    const nextRun =
      opts.now && kept.nextRunAt !== undefined ? nextRunDrift(want, kept.nextRunAt, opts.now) : undefined;
    if (inSync(want, kept) && !nextRun) {
      unchanged++;
    } else {
      const rescheduled = isRescheduled(kept.spec, want);
      changes.push({
        action: "update",
        key,
        reason: kept.storedHash === want.specHash ? "drift" : "config changed",
        before: specView(kept.spec),
        after: specView(want),
        id: kept.id,
        job: want,
        // A nextRunAt that contradicts the schedule is recomputed even when the config is unchanged.
        rescheduled: rescheduled || nextRun !== undefined,
        ...(nextRun && !rescheduled ? { nextRun } : {}),
        fields: fieldChanges(kept.spec, want),
      });
    }
  }
  for (const [key, want] of wanted) {
    if (byKey.has(key)) continue;
    const pause = opts.pauses && pauseFor(opts.pauses, key);
    changes.push({
      action: "create",
      key,
      reason: "config changed",
      before: null,
      after: specView(want),
      job: want,
      ...(pause && { pause: { ...pause, disabledBefore: want.disabled } }),
    });
  }

  changes.sort(
    (a, b) =>
      compareKeys(a.key, b.key) ||
      ACTION_ORDER[a.action] - ACTION_ORDER[b.action] ||
      compareKeys("id" in a ? a.id : "", "id" in b ? b.id : ""),
  );
  const count = (action: Change["action"]) => changes.filter((c) => c.action === action).length;
  return {
    changes,
    summary: { create: count("create"), update: count("update"), delete: count("delete"), unchanged },
    ...(paused.length > 0 && { paused }),
  };
}

/** True when the plan changes nothing. */
export function isEmptyPlan(p: Plan): boolean {
  return p.changes.length === 0;
}
