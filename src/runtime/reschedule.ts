// A schedule written by the reconciler while its job ran must survive the end of the run. Agenda
// computes a repeating job's next run when the run STARTS (from the repeat it loaded) and writes it
// back when the handler ends (saveJobState: nextRunAt, lastRunAt, lockedAt... by _id and name), so
// an apply made during the run is undone (agenda/agenda#1428, field case 14). After Agenda's write,
// the worker re-reads the job and recomputes nextRunAt from the schedule the job holds now.
import type { Job } from "agenda";
import type { Db } from "mongodb";
import { specOf } from "../jobs/document.js";
import { readOwnedJob, setNextRun } from "../jobs/repository.js";
import { isRescheduled, nextRunDrift } from "../jobs/timing.js";
import { firstRunAt } from "../jobs/writes.js";

/**
 * Call after Agenda saved a scheduled job's state (its "complete" event). Sets nextRunAt from the
 * current schedule when the job's timing changed during the run and the stored nextRunAt is still
 * the one Agenda computed from the old timing, or when the stored nextRunAt contradicts the current
 * schedule (jobs/timing.ts). The write is conditional on the nextRunAt read, so a concurrent writer
 * wins. Returns the new nextRunAt, or undefined when nothing was changed.
 */
export async function keepReschedule(db: Db, job: Job, now = new Date()): Promise<Date | null | undefined> {
  const started = specOf(job.attrs as unknown as Record<string, unknown>);
  if (!started || !job.attrs._id) return undefined;
  const current = await readOwnedJob(db, job.attrs._id);
  if (!current || current.nextRunAt === undefined) return undefined;
  const stored = current.nextRunAt;
  const agendaWrote = (stored?.getTime() ?? null) === (job.attrs.nextRunAt?.getTime() ?? null);
  const moved = agendaWrote && isRescheduled(started, current.spec);
  if (!moved && !nextRunDrift(current.spec, stored, now)) return undefined;
  const next = firstRunAt(now)(current.spec);
  return (await setNextRun(db, current.id, next, { onlyIf: stored })) ? next : undefined;
}
