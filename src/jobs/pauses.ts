// Emergency pauses (`schedsync pause`): one record per target in PAUSES_COLLECTION, the source of
// truth the reconciler reads; the jobs a pause holds also carry it (data.schedsync.pause).
import type { Db } from "mongodb";
import type { PauseMark } from "./types.js";

export const PAUSES_COLLECTION = "schedsync_pauses";

/** A pause as stored; `_id` is the target. */
export type Pause = Omit<PauseMark, "disabledBefore">;

/** True when `target` ("acme", "acme/web" or a key) holds the job `key`. */
export function pauseCovers(target: string, key: string): boolean {
  return key === target || key.startsWith(`${target}/`);
}

/** The pause that holds `key` (the narrowest target when several do), or undefined. */
export function pauseFor(pauses: readonly Pause[], key: string): Pause | undefined {
  return pauses
    .filter((p) => pauseCovers(p.target, key))
    .sort((a, b) => b.target.length - a.target.length)[0];
}

/** Every pause, by target. */
export async function listPauses(db: Db): Promise<Pause[]> {
  const docs = await db
    .collection<{ _id: string } & Pause>(PAUSES_COLLECTION)
    .find()
    .sort({ _id: 1 })
    .toArray();
  return docs.map(({ target, by, reason, since, until }) => ({ target, by, reason, since, until }));
}

/** Saves a pause (replacing one of the same target). */
export async function savePause(db: Db, pause: Pause): Promise<void> {
  await db
    .collection<{ _id: string } & Pause>(PAUSES_COLLECTION)
    .replaceOne({ _id: pause.target }, { ...pause }, { upsert: true });
}

/** Removes the pause of `target`; false when there was none. */
export async function deletePause(db: Db, target: string): Promise<boolean> {
  const r = await db.collection<{ _id: string }>(PAUSES_COLLECTION).deleteOne({ _id: target });
  return r.deletedCount === 1;
}
