// A schedule written by the reconciler while its job ran must survive the end of the run. Agenda
// computes a repeating job's next run when the run STARTS (from the repeat it loaded) and writes it
// back when the handler ends (saveJobState: nextRunAt, lastRunAt, lockedAt... by _id and name), so
// an apply made during the run is undone (agenda/agenda#1428, field case 14). After Agenda's write,
// the worker re-reads the job and recomputes nextRunAt from the schedule the job holds now. The
// read is the run's outcome write (endScheduledRun), so the end of a run costs no extra command.
import type { Job } from "agenda";
import type { Db } from "mongodb";
import { specOf } from "../jobs/document.js";
import { readOwnedJob, setNextRun } from "../jobs/repository.js";
import { isRescheduled, nextRunDrift } from "../jobs/timing.js";
import type { ActualJob } from "../jobs/types.js";
import { firstRunAt } from "../jobs/writes.js";
import type { PendingOutcome, RuntimeContext } from "./context.js";
import { recordOutcome } from "./health.js";

/**
 * Call after Agenda saved a scheduled job's state (its "complete" event). Sets nextRunAt from the
 * current schedule when the job's timing changed during the run and the stored nextRunAt is still
 * the one Agenda computed from the old timing, or when the stored nextRunAt contradicts the current
 * schedule (jobs/timing.ts). The write is conditional on the nextRunAt read, so a concurrent writer
 * wins. Returns the new nextRunAt, or undefined when nothing was changed.
 */
export async function keepReschedule(db: Db, job: Job, now = new Date()): Promise<Date | null | undefined> {
  if (!specOf(job.attrs as unknown as Record<string, unknown>) || !job.attrs._id) return undefined;
  return rescheduleFrom(db, job, await readOwnedJob(db, job.attrs._id), now);
}

/**
 * The end of a scheduled run, after Agenda's save: its outcome (when the run had one) recorded on
 * the job by the same command that reads the job for keepReschedule's check (one findAndModify
 * instead of a write and a read), else the read alone. Returns what keepReschedule returns.
 */
export async function endScheduledRun(
  ctx: RuntimeContext,
  job: Job,
  pending: PendingOutcome | undefined,
  now = new Date(),
): Promise<Date | null | undefined> {
  const started = specOf(job.attrs as unknown as Record<string, unknown>);
  if (!pending || !started) return keepReschedule(ctx.db, job, now);
  return rescheduleFrom(ctx.db, job, await recordOutcome(ctx, started, pending), now);
}

/** keepReschedule's check and write, given the job as stored after Agenda's save. */
async function rescheduleFrom(
  db: Db,
  job: Job,
  current: ActualJob | undefined,
  now: Date,
): Promise<Date | null | undefined> {
  const started = specOf(job.attrs as unknown as Record<string, unknown>);
  if (!started || !current || current.nextRunAt === undefined) return undefined;
  const stored = current.nextRunAt;
  const agendaWrote = (stored?.getTime() ?? null) === (job.attrs.nextRunAt?.getTime() ?? null);
  const moved = agendaWrote && isRescheduled(started, current.spec);
  if (!moved && !nextRunDrift(current.spec, stored, now)) return undefined;
  const next = firstRunAt(now)(current.spec);
  return (await setNextRun(db, current.id, next, { onlyIf: stored })) ? next : undefined;
}
