// The runtime side of blackout windows (docs/schedules.md, Blackout windows): a run that would
// start inside a window of its key does not start; its job waits for the window's end, once,
// whatever number of runs fell inside (the schedule then continues from there).
import { recordBlackoutSkip } from "../jobs/blackout-skips.js";
import { setNextRun } from "../jobs/repository.js";
import type { JobSpec } from "../jobs/types.js";
import { type Blackout, blackoutAt, describeWindow } from "../schedule/blackout.js";
import type { RuntimeContext } from "./context.js";

/** The blackout the key is in at `now`, or null (schedule/blackout.ts blackoutAt). */
export function blackoutNow(spec: JobSpec, now = new Date()): Blackout | null {
  return blackoutAt(spec.blackout, spec.timezone, now);
}

/** The Agenda job fields a hold needs: its id and the nextRunAt Agenda writes when the handler ends. */
export interface HeldJob {
  attrs: { _id?: unknown; nextRunAt?: Date | null };
}

/**
 * When the key is in a blackout: moves `job` (its scheduled job or a trigger job) to the end of the
 * blackout, in the store now and in attrs (Agenda writes attrs back when the handler returns, so its
 * own repeat computation does not drop the run), records the skip on the key's job, and returns the
 * blackout; else null and nothing is written.
 */
export async function holdForBlackout(
  ctx: Pick<RuntimeContext, "db" | "opts">,
  spec: JobSpec,
  job: HeldJob,
  now = new Date(),
): Promise<Blackout | null> {
  const b = blackoutNow(spec, now);
  if (!b) return null;
  job.attrs.nextRunAt = b.end;
  if (job.attrs._id !== undefined) await setNextRun(ctx.db, job.attrs._id, b.end);
  const window = describeWindow(b.window);
  await recordBlackoutSkip(ctx.db, spec.key, {
    outcome: "blackout",
    at: now,
    until: b.end,
    window,
    reason: b.window.reason,
  });
  ctx.opts.log.info(
    { key: spec.key, until: b.end.toISOString(), window },
    "blackout: run moved to the window's end",
  );
  return b;
}
