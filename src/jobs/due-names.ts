// Fewer empty lock queries: every processEvery, Agenda runs one lock query (`findOneAndUpdate`,
// MongoJobRepository.getNextJobToRun) per defined job name, due or not: 8 names for schedsync, so
// 8 writes per worker and poll, most of them finding nothing. On the embedded store every
// findAndModify passes its write serializer one at a time, so idle polls of several workers take the
// store's write capacity from the runs (docs/benchmarks.md, "Fleet"). Here one read per poll round
// (`distinct` of the names with a lockable job, the lock query's own filter without the name) gates
// the round: names with nothing lockable skip their lock query. A job that falls due just after the
// read is locked on the next round, as one that falls due just after a lock query is today.
import type { JobRepository } from "agenda";
import type { Db } from "mongodb";

/** The lock query (JobRepository.getNextJobToRun, agenda 6). */
type Repository = Pick<JobRepository, "getNextJobToRun">;

/**
 * Wraps `repository.getNextJobToRun` (a MongoBackend's repository) so that one `distinct` per poll
 * round (calls more than `roundMs` ms apart start a new round) decides which names are queried.
 * A failed read queries every name, as without the gate.
 */
export function gateLockQueries(repository: Repository, db: Db, collection: string, roundMs: number): void {
  const inner = repository.getNextJobToRun.bind(repository);
  let round: { at: number; names: Promise<Set<string> | undefined> } | undefined;
  repository.getNextJobToRun = async (name, nextScanAt, lockDeadline, now, options) => {
    const t = Date.now();
    if (!round || t - round.at >= roundMs) {
      round = { at: t, names: lockableNames(db, collection, nextScanAt, lockDeadline) };
    }
    const names = await round.names;
    if (names && !names.has(name)) return undefined;
    return inner(name, nextScanAt, lockDeadline, now, options);
  };
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

/** The names with a lockable job: the lock query's filter without the name. Undefined when the read fails. */
export async function lockableNames(
  db: Db,
  collection: string,
  nextScanAt: Date,
  lockDeadline: Date,
): Promise<Set<string> | undefined> {
  try {
    const names = await db.collection(collection).distinct("name", lockableFilter(nextScanAt, lockDeadline));
    return new Set(names.map(String));
  } catch {
    return undefined;
  }
}
