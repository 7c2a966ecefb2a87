// A freed run slot is filled at once. Agenda 6 locks jobs only on its poll (every processEvery) and
// on a notification; when a run ends it starts one of the jobs it already holds, but it locks no new
// one until the next poll. A worker holds lockLimit jobs at most (2 × concurrency), so when runs are
// short beside processEvery it runs about lockLimit jobs a poll and its slots idle until the next
// one, whatever its concurrency (measured: 3 slots, 500 ms connector, 1 s poll: 4.5 runs/s where
// the slots allow 5–6; docs/benchmarks.md, "Worker processes"). Agenda's extension point for "lock
// now" is its notification channel: the processor answers a job notification with a lock query for
// that name (JobProcessor.handleNotification). This channel carries one kind of notification only,
// "a run of this name ended", sent by the worker after Agenda has let the job go; Agenda's own save
// notifications are dropped (without a channel it sends none), so nothing else changes.
import { BaseNotificationChannel, type Job, type JobId, type JobNotification } from "agenda";

/**
 * In-process channel: `runEnded(job)` makes Agenda lock the next due jobs at once: of the `first`
 * names, then of the other names (`names()`): in `rank`'s order one after the other when given
 * (the worker's: earliest due first, jobs/due-order.ts), else the job's own name and then the rest
 * at once, as Agenda's poll would.
 */
export class RefillChannel extends BaseNotificationChannel {
  /** Names with a lock query in flight; `again`: a run ended meanwhile, ask once more after it. */
  private readonly filling = new Map<string, { again: boolean }>();

  /**
   * `names`: the job names to fill (Agenda's defined ones). `first`: names filled before the ended
   * run's own, in this order (the worker puts its Automatic pushes first: records already stored go
   * out before more are pulled, and a worker that is behind on pulls does not starve them).
   */
  constructor(
    private readonly names: () => string[],
    private readonly first: string[] = [],
    private readonly rank?: (names: string[]) => string[],
  ) {
    super();
  }

  async connect(): Promise<void> {
    this.setState("connected");
  }

  async disconnect(): Promise<void> {
    this.handlers.clear();
    this.filling.clear();
    this.setState("disconnected");
  }

  /** Agenda's notification of a job save: dropped (see the file's comment). */
  async publish(_notification: JobNotification): Promise<void> {}

  /**
   * A run of `job`'s name ended. Agenda checks its concurrency and lock limits, so a worker without
   * room sends no query; the poll gate (due-names.ts) answers names with nothing due from its round
   * without a query. Called from Agenda's "complete" event, where the job still counts as locked
   * until Agenda's processor lets it go later in the same turn, so the lock queries wait for the
   * next turn of the event loop (a job removed on completion is let go after its delete: its slot
   * waits for the next run's end or poll). At most one lock query per name at a time; runs that end
   * meanwhile ask for one more after it. Never throws; a failed lock query waits for the poll.
   */
  runEnded(job: Pick<Job, "attrs">): void {
    if (this._state !== "connected") return;
    const { name, _id: id } = job.attrs;
    if (!id) return;
    const rank = this.rank;
    const ordered = rank
      ? [...this.first, ...rank(this.names().filter((n) => !this.first.includes(n)))]
      : [...new Set([...this.first, name])];
    setImmediate(async () => {
      try {
        // One after the other: once a name has taken the freed slot, the next ones find the lock
        // limit reached and send no query.
        for (const n of ordered) await this.fill(n, id);
        await Promise.all(
          this.names()
            .filter((n) => !ordered.includes(n))
            .map((n) => this.fill(n, id)),
        );
      } catch {
        // fill never throws; the poll catches up
      }
    });
  }

  private async fill(name: string, jobId: JobId): Promise<void> {
    const busy = this.filling.get(name);
    if (busy) {
      busy.again = true;
      return;
    }
    const entry = { again: false };
    this.filling.set(name, entry);
    try {
      do {
        entry.again = false;
        const now = new Date();
        // The processor reads the name and nextRunAt (due now: within its scan); the id is the ended run's.
        await this.notifyHandlers({
          jobId,
          jobName: name,
          nextRunAt: now,
          priority: 0,
          timestamp: now,
        }).catch(() => {});
      } while (entry.again && this._state === "connected");
    } finally {
      this.filling.delete(name);
    }
  }
}
