// Per service key: the trigger generation (here) and the last run's outcome (kept on the key's run
// lease document when the lease is released, so a run writes one document at its end, not two).
//
// Why generations: Agenda writes a one-off job's state (nextRunAt: null) when it finishes, which
// would erase a trigger that landed on the job while it ran. So each run first moves its key to
// a new generation and triggers land on the job of the current generation: a trigger that
// read the old generation came before the run's first claim (its record is in this run), a
// trigger that reads the new one creates the next job.
import type { Db } from "mongodb";
import { LOCKS } from "../platform/lease.js";

export const RUNS = "schedsync_runs";

/** The name of the key's run lease (platform/lease.ts): never two runs of one key at once. */
export const runLockName = (key: string) => `run:${key}`;

export interface RunDoc {
  _id: string;
  gen: number;
  lastRunAt?: Date;
  lastFinishedAt?: Date;
  lastOutcome?: Record<string, number>;
  lastError?: string | null;
}

const runs = (db: Db) => db.collection<RunDoc>(RUNS);

export async function currentGen(db: Db, key: string): Promise<number> {
  return (await runs(db).findOne({ _id: key }, { projection: { gen: 1 } }))?.gen ?? 0;
}

/** Moves the key to a new generation and returns it. */
export async function nextGen(db: Db, key: string): Promise<number> {
  const doc = await runs(db).findOneAndUpdate(
    { _id: key },
    { $inc: { gen: 1 } },
    { upsert: true, returnDocument: "after" },
  );
  return doc?.gen ?? 0;
}

/**
 * The fields of a finished run (lastRunAt, lastFinishedAt, lastOutcome, lastError) that the run
 * lease's release keeps on the lease document (`run:<key>` in platform/lease.ts's collection).
 */
export function lastRun(r: {
  startedAt: Date;
  outcome?: Record<string, number>;
  error?: string;
}): Record<string, unknown> {
  return {
    lastRunAt: r.startedAt,
    lastFinishedAt: new Date(),
    lastOutcome: r.outcome ?? {},
    lastError: r.error ?? null,
  };
}

/** The key's generation and last run (null when it has neither). */
export async function loadRun(db: Db, key: string): Promise<RunDoc | null> {
  const [gen, lease] = await Promise.all([
    runs(db).findOne({ _id: key }),
    db.collection<Omit<RunDoc, "gen"> & { holder?: unknown }>(LOCKS).findOne({ _id: runLockName(key) }),
  ]);
  if (!gen && !lease?.lastRunAt) return null;
  const out: RunDoc = { _id: key, gen: gen?.gen ?? 0 };
  if (lease?.lastRunAt) {
    out.lastRunAt = lease.lastRunAt;
    out.lastFinishedAt = lease.lastFinishedAt;
    out.lastOutcome = lease.lastOutcome;
    out.lastError = lease.lastError;
  }
  return out;
}
