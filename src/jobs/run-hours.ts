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
  await addRuns(db, hourOf(run.at), run.ok ? 1 : 0, run.ok ? 0 : 1);
}

/**
 * Counts a worker's runs in memory and writes each hour's counts in one upsert, `everyMs` (ms) after
 * the first run it holds: one store write per hour and interval instead of one per run (the runs
 * chart lags by at most `everyMs`). `flush()` writes what it holds (the worker's stop calls it); a
 * failed write keeps the counts for the next one, so only a killed process loses them.
 */
export class RunHourTally {
  private pending = new Map<number, { succeeded: number; failed: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly everyMs = 5_000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  add(run: { ok: boolean; at: Date }): void {
    const hour = hourOf(run.at).getTime();
    const n = this.pending.get(hour) ?? { succeeded: 0, failed: 0 };
    if (run.ok) n.succeeded += 1;
    else n.failed += 1;
    this.pending.set(hour, n);
    this.timer ??= setTimeout(() => void this.flush().catch(this.onError), this.everyMs).unref();
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const taken = this.pending;
    this.pending = new Map();
    const failed: unknown[] = [];
    for (const [hour, n] of taken) {
      try {
        await addRuns(this.db, new Date(hour), n.succeeded, n.failed);
      } catch (err) {
        failed.push(err);
        const now = this.pending.get(hour) ?? { succeeded: 0, failed: 0 };
        this.pending.set(hour, { succeeded: now.succeeded + n.succeeded, failed: now.failed + n.failed });
      }
    }
    if (failed.length) {
      this.timer ??= setTimeout(() => void this.flush().catch(this.onError), this.everyMs).unref();
      throw failed[0];
    }
  }
}

async function addRuns(db: Db, hour: Date, succeeded: number, failed: number): Promise<void> {
  const update = { $inc: { succeeded, failed }, $setOnInsert: { hour } };
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
