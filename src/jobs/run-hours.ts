// Runs per hour: one small document per UTC hour counting the runs that succeeded and failed
// (every run of every key: scheduled, Automatic, on demand, cleanup), for the status page's runs
// chart. A run's success or failure is its outcome on the job's health (runtime/health.ts).
import type { Db } from "mongodb";

export const RUN_HOURS = "schedsync_run_hours";
const HOUR_MS = 3_600_000;

export interface RunHour {
  /** Start of the hour (UTC). */
  hour: Date;
  succeeded: number;
  failed: number;
}

interface RunHourDoc extends RunHour {
  /** The hour's start as an ISO string: one document per hour, so a run is one upsert. */
  _id: string;
}

const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);

/** Counts one finished run in the hour of `at` (when it ended). */
export async function countRun(db: Db, run: { ok: boolean; at: Date }): Promise<void> {
  const hour = hourOf(run.at);
  const update = {
    $inc: { succeeded: run.ok ? 1 : 0, failed: run.ok ? 0 : 1 },
    $setOnInsert: { hour },
  };
  const col = db.collection<RunHourDoc>(RUN_HOURS);
  try {
    await col.updateOne({ _id: hour.toISOString() }, update, { upsert: true });
  } catch (err) {
    // Two first runs of an hour upserting at once: one insert wins, the other now updates it.
    if ((err as { code?: number }).code !== 11000) throw err;
    await col.updateOne({ _id: hour.toISOString() }, update);
  }
}

/** The last `hours` hours up to `now` (oldest first, the current one last), zeros where no run ended. */
export async function runsPerHour(db: Db, opts: { now?: Date; hours?: number } = {}): Promise<RunHour[]> {
  const n = opts.hours ?? 12;
  const last = hourOf(opts.now ?? new Date()).getTime();
  const hours = Array.from({ length: n }, (_, i) => new Date(last - (n - 1 - i) * HOUR_MS));
  const docs = await db
    .collection<RunHourDoc>(RUN_HOURS)
    .find({ _id: { $in: hours.map((h) => h.toISOString()) } })
    .toArray();
  const byId = new Map(docs.map((d) => [d._id, d]));
  return hours.map((hour) => {
    const d = byId.get(hour.toISOString());
    return { hour, succeeded: d?.succeeded ?? 0, failed: d?.failed ?? 0 };
  });
}
