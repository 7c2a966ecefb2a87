// Per service key: the trigger generation and the last run's outcome.
//
// Why generations: Agenda writes a one-off job's state (nextRunAt: null) when it finishes, which
// would erase a trigger that landed on the job while it ran. So each run first moves its key to
// a new generation and triggers land on the job of the current generation: a trigger that
// read the old generation came before the run's first claim (its record is in this run), a
// trigger that reads the new one creates the next job.
import type { Db } from "mongodb";

export const RUNS = "schedsync_runs";

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

export async function recordRun(
  db: Db,
  key: string,
  r: { startedAt: Date; outcome?: Record<string, number>; error?: string },
): Promise<void> {
  await runs(db).updateOne(
    { _id: key },
    {
      $set: {
        lastRunAt: r.startedAt,
        lastFinishedAt: new Date(),
        lastOutcome: r.outcome ?? {},
        lastError: r.error ?? null,
      },
      $setOnInsert: { gen: 0 },
    },
    { upsert: true },
  );
}

export async function loadRun(db: Db, key: string): Promise<RunDoc | null> {
  return runs(db).findOne({ _id: key });
}
