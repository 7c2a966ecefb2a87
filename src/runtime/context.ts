// What every run gets: the store, the Agenda instance (to trigger other services) and settings.
import type { Agenda, Job } from "agenda";
import type { Db } from "mongodb";
import type { RunOutcome } from "../jobs/health.js";
import type { RunHourTally } from "../jobs/run-hours.js";
import type { RuntimeOptions } from "./options.js";

export interface RuntimeContext {
  db: Db;
  agenda: Agenda;
  opts: RuntimeOptions;
  /** Set on graceful shutdown: runs finish their current batch or page and stop taking more. */
  stopping: boolean;
  /**
   * Set when the worker's stop gave up on the handlers still running (its timeout, or abandon()):
   * what then fails them (the store's client closing) is the stop, not the service; their ends are
   * logged at debug and not recorded as failures.
   */
  abandoned?: boolean;
  /** A worker's runs-per-hour counts, written every few seconds (absent: each run writes its own). */
  runHours?: RunHourTally;
  /**
   * Scheduled runs' outcomes, written when Agenda's "complete" follows its end-of-run save
   * (reschedule.ts, endScheduledRun). Absent: each run writes its own at once.
   */
  outcomes?: WeakMap<Job, PendingOutcome>;
}

/** A run's outcome not yet recorded on its job: a scheduled run's rides on its end (reschedule.ts). */
export interface PendingOutcome {
  outcome: RunOutcome;
  /** The push run's counts, when it was one (for the "skipped" notification). */
  counts?: { skipped: number; reason?: string };
}
