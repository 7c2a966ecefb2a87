// What every run gets: the store, the Agenda instance (to trigger other services) and settings.
import type { Agenda } from "agenda";
import type { Db } from "mongodb";
import type { RunHourTally } from "../jobs/run-hours.js";
import type { RuntimeOptions } from "./options.js";

export interface RuntimeContext {
  db: Db;
  agenda: Agenda;
  opts: RuntimeOptions;
  /** Set on graceful shutdown: runs finish their current batch or page and stop taking more. */
  stopping: boolean;
  /** A worker's runs-per-hour counts, written every few seconds (absent: each run writes its own). */
  runHours?: RunHourTally;
}
