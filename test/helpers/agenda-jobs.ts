// Plain Agenda job documents for tests that drive Agenda itself (no schedsync specs).
import type { Collection, Db } from "mongodb";

/**
 * Inserts one one-shot job per entry of `names` into `collection`, all due a second ago and
 * unlocked, as Agenda 6 stores them (data.i: the position in `names`). Returns the collection.
 */
export async function insertDueJobs(db: Db, collection: string, names: string[]): Promise<Collection> {
  const coll = db.collection(collection);
  const due = new Date(Date.now() - 1_000);
  await coll.insertMany(
    names.map((name, i) => ({
      name,
      type: "normal",
      data: { i },
      priority: 0,
      nextRunAt: due,
      lockedAt: null,
    })),
  );
  return coll;
}
