// A lock query that costs the same however many jobs are due. Agenda's lock query
// (MongoJobRepository.getNextJobToRun) takes the first job by (nextRunAt, priority desc) among all
// lockable jobs of a name; the embedded store sorts them in Go, so each lock reads every due job of
// the name, and a worker that falls behind gets slower the further behind it is (docs/benchmarks.md,
// "Fleet"). Here one read per `size` locks finds the due time of the size-th lockable job, and each
// lock query is Agenda's own with `nextScanAt` lowered to it (and no lower than any stale lock's due
// time): the first lockable job is among those due by then, so the same job comes out (short of a
// lock that expires between the read and the query), from a due set of about `size` jobs.
import type { JobRepository } from "agenda";
import type { Db } from "mongodb";
import { lockableFilter } from "./due-names.js";

type Repository = Pick<JobRepository, "getNextJobToRun">;

interface Window {
  /** When the window was read (a new poll round reads again). */
  at: number;
  /** The due time that covers the window's jobs; undefined: read again. */
  until: Date | undefined;
  /** The read was full: more lockable jobs may be due behind the window. */
  more: boolean;
}

/**
 * Wraps `repository.getNextJobToRun` as described above. `size`: jobs read at once (Agenda's
 * lockLimit is a good value); `roundMs`: calls further apart than this start from a fresh read. When
 * the window is used up and its read was not full, or a read fails, the call is Agenda's unchanged.
 */
export function windowLockQueries(
  repository: Repository,
  db: Db,
  collection: string,
  opts: { size: number; roundMs: number },
): void {
  const inner = repository.getNextJobToRun.bind(repository);
  const byName = new Map<string, Window>();
  repository.getNextJobToRun = async (name, nextScanAt, lockDeadline, now, options) => {
    const t = Date.now();
    let w = byName.get(name);
    if (!w || t - w.at >= opts.roundMs) {
      w = { at: t, until: undefined, more: true };
      byName.set(name, w);
    }
    for (;;) {
      if (!w.until) {
        const read = w.more
          ? await windowEnd(db, collection, name, nextScanAt, lockDeadline, opts.size)
          : undefined;
        if (!read) return inner(name, nextScanAt, lockDeadline, now, options);
        w.until = read.until;
        w.more = read.full;
      }
      const job = await inner(name, w.until, lockDeadline, now, options);
      if (job) return job;
      w.until = undefined; // nothing lockable is due by then any more
    }
  };
}

/**
 * The due time of the last of the first `size` lockable jobs of `name` in Agenda's order, or of the
 * latest stale lock if later, capped at `nextScanAt`; no nextRunAt counts as the epoch. Undefined
 * when nothing is lockable or a read fails.
 */
async function windowEnd(
  db: Db,
  collection: string,
  name: string,
  nextScanAt: Date,
  lockDeadline: Date,
  size: number,
): Promise<{ until: Date; full: boolean } | undefined> {
  try {
    const docs = await db
      .collection(collection)
      .find(lockableFilter(nextScanAt, lockDeadline, name), {
        projection: { nextRunAt: 1 },
        sort: { nextRunAt: 1, priority: -1 },
        limit: size,
      })
      .toArray();
    const last = docs.at(-1);
    if (!last) return undefined;
    // The lock query keeps every stale lock whatever its due time: the window reaches the latest of
    // them, or one due later than the window's jobs would come out before them.
    const stale = await db
      .collection(collection)
      .find(
        { name, disabled: { $ne: true }, lockedAt: { $lte: lockDeadline } },
        { projection: { nextRunAt: 1 } },
      )
      .toArray();
    let until = last.nextRunAt instanceof Date ? last.nextRunAt : new Date(0);
    for (const d of stale) if (d.nextRunAt instanceof Date && d.nextRunAt > until) until = d.nextRunAt;
    return { until: until < nextScanAt ? until : nextScanAt, full: docs.length === size };
  } catch {
    return undefined;
  }
}
