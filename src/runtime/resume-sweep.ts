// Auto-resume: ends pauses and YAML suspensions whose `until` has passed. The workers run it (at
// start and every RESUME_SWEEP_MS), so a resume never waits for a reconcile that may not come.
import type { Db } from "mongodb";
import { deletePause, listPauses } from "../jobs/pauses.js";
import { releaseJobs, resumeSuspended } from "../jobs/repository.js";

/** How often a worker looks for a passed `until` (ms): a resume is at most this late. */
export const RESUME_SWEEP_MS = 30_000;

export interface ResumeSweep {
  /** Targets whose pause ended. */
  pauses: string[];
  /** Keys released from those pauses. */
  released: string[];
  /** Keys whose YAML suspension ended. */
  resumed: string[];
}

/** Ends what is due at `now` (idempotent: several workers may sweep at once). */
export async function sweepResumes(db: Db, now = new Date()): Promise<ResumeSweep> {
  const all = await listPauses(db);
  const due = all.filter((p) => p.until !== null && Date.parse(p.until) <= now.getTime());
  const remaining = all.filter((p) => !due.includes(p));
  const released: string[] = [];
  for (const p of due) {
    await deletePause(db, p.target);
    released.push(...(await releaseJobs(db, p.target, remaining, now)));
  }
  return { pauses: due.map((p) => p.target), released, resumed: await resumeSuspended(db, now) };
}
