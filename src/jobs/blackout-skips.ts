// A run that a blackout window moved, kept as data on the key's scheduled job (PATH.lastBlackout),
// so `status`, the status page and the plan's readers see it (docs/operations.md, Blackout windows).
import type { Db } from "mongodb";
import { jobName, ownedFilter, PATH, serviceOfKey } from "./document.js";
import { jobsCollection } from "./repository.js";

/** One run moved by a blackout: when it was due, until when it waits, and the window (describeWindow). */
export interface BlackoutSkip {
  /** The run outcome's name, so a reader of the job document can tell it from a run. */
  outcome: "blackout";
  at: Date;
  /** The end of the blackout: when the run happens instead. */
  until: Date;
  window: string;
  reason: string | null;
}

/** Records a moved run on the scheduled job of `key` (triggered runs count for it too). */
export async function recordBlackoutSkip(db: Db, key: string, skip: BlackoutSkip): Promise<void> {
  await jobsCollection(db).updateOne(
    { ...ownedFilter(), name: jobName(serviceOfKey(key)), [PATH.key]: key },
    { $set: { [PATH.lastBlackout]: skip } },
  );
}

/** The stored skip of a job document, or undefined. */
export function blackoutSkipOf(doc: Record<string, unknown>): BlackoutSkip | undefined {
  const v = doc[PATH.lastBlackout] as Partial<BlackoutSkip> | undefined;
  if (!v || !(v.at instanceof Date) || !(v.until instanceof Date)) return undefined;
  return {
    outcome: "blackout",
    at: v.at,
    until: v.until,
    window: typeof v.window === "string" ? v.window : "",
    reason: typeof v.reason === "string" ? v.reason : null,
  };
}
