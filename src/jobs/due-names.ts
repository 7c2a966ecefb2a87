// Fewer empty lock queries: every processEvery, Agenda runs one lock query (`findOneAndUpdate`,
// MongoJobRepository.getNextJobToRun) per defined job name, due or not: 8 names for schedsync, so
// 8 writes per worker and poll, most of them finding nothing. On the embedded store writes pass its
// write serializer one at a time, so idle polls of several workers take the store's write capacity
// from the runs (docs/benchmarks.md, "Fleet"). Here the first call for a name in a poll round reads
// one lockable job of that name (`findOne` with the lock query's filter, no sort: on the embedded
// store one index search that stops at the first match, however many jobs are due); a name with
// none skips its lock query for the round, as does a name whose lock query found nothing (a run
// that ends asks again: jobs/refill.ts). A job that falls due just after the read is locked on the
// next round, as one that falls due just after a lock query is today.
import type { JobRepository } from "agenda";
import type { Db } from "mongodb";

/** The lock query (JobRepository.getNextJobToRun, agenda 6). */
type Repository = Pick<JobRepository, "getNextJobToRun">;

/** The comment on the gate's reads, so command monitoring can count them as polls. */
export const GATE_COMMENT = "schedsync poll gate";

/**
 * Wraps `repository.getNextJobToRun` (a MongoBackend's repository) so that the first call for a name
 * in a poll round (calls more than `roundMs` ms apart start a new round) reads whether that name has
 * a lockable job; a name without one returns no job until the next round. A failed read queries the
 * name, as without the gate.
 */
export function gateLockQueries(repository: Repository, db: Db, collection: string, roundMs: number): void {
  const inner = repository.getNextJobToRun.bind(repository);
  const rounds = new Map<string, { at: number; lockable: Promise<boolean> }>();
  repository.getNextJobToRun = async (name, nextScanAt, lockDeadline, now, options) => {
    const t = Date.now();
    let round = rounds.get(name);
    if (!round || t - round.at >= roundMs) {
      round = { at: t, lockable: hasLockable(db, collection, name, nextScanAt, lockDeadline) };
      rounds.set(name, round);
    }
    if (!(await round.lockable)) return undefined;
    const job = await inner(name, nextScanAt, lockDeadline, now, options);
    // Nothing left to lock: later calls of this round (a run that ended: jobs/refill.ts) skip the query.
    if (!job && rounds.get(name) === round) round.lockable = Promise.resolve(false);
    return job;
  };
}

/** Whether `name` has a lockable job: one read that stops at the first match. True when the read fails. */
export async function hasLockable(
  db: Db,
  collection: string,
  name: string,
  nextScanAt: Date,
  lockDeadline: Date,
): Promise<boolean> {
  try {
    const doc = await db.collection(collection).findOne(lockableFilter(nextScanAt, lockDeadline, name), {
      projection: { _id: 1 },
      comment: GATE_COMMENT,
    });
    return doc !== null;
  } catch {
    return true;
  }
}

/**
 * Agenda 6's lock query filter (MongoJobRepository.getNextJobToRun): not disabled, and due and
 * unlocked, or locked before `lockDeadline` (a stale lock). Of one job name when `name` is given.
 */
export function lockableFilter(nextScanAt: Date, lockDeadline: Date, name?: string) {
  return {
    ...(name === undefined ? {} : { name }),
    disabled: { $ne: true },
    $or: [{ lockedAt: { $eq: null }, nextRunAt: { $lte: nextScanAt } }, { lockedAt: { $lte: lockDeadline } }],
  };
}
