// simulate's blackout windows: a job's runs over the period as the worker makes them (blackout-runs.ts),
// and per window how many runs it moved. Kept apart from simulate.ts's fast paths: only jobs with
// windows come here, and the windows' occurrences are listed once per (windows, timezone).
import { blackoutIntervals, describeWindow, type Interval, intervalAt } from "./blackout.js";
import { type PlannedRun, plannedRuns } from "./blackout-runs.js";
import type { BlackoutWindow, Frequency } from "./model.js";

/** One window over the simulated period: what it did to the runs of the jobs it covers. */
export interface BlackoutEffect {
  /** Whose window: "acme", "acme/shopify-us" or "defaults". */
  owner: string;
  window: string;
  reason: string | null;
  /** Its occurrences that begin in the period, ISO start and end. */
  occurrences: { start: string; end: string }[];
  /** Runs due inside it that did not run then. */
  suppressed: number;
  /** Runs made at its end in their place (one per job and occurrence). */
  moved: number;
}

/** Collects the effects of all jobs' windows; `runs` gives each job's runs after its windows. */
export class BlackoutTally {
  private readonly effects = new Map<string, BlackoutEffect>();
  private readonly intervals = new Map<string, Interval[]>();
  private readonly planned = new Map<string, PlannedRun[]>();

  constructor(
    private readonly from: number,
    private readonly until: number,
  ) {}

  /** The job's run instants (ms) in (from, until) with its windows applied, counting what moved. */
  runs(freq: Frequency, timezone: string, windows: readonly BlackoutWindow[], owner: string): number[] {
    const id = `${timezone}\0${JSON.stringify(windows)}`;
    let list = this.intervals.get(id);
    if (!list) {
      // A day's margin: an occurrence that began before the period still holds runs inside it.
      list = blackoutIntervals(windows, timezone, this.from - 86_400_000 * 8, this.until);
      this.intervals.set(id, list);
      for (const w of windows) this.effect(w, owner, timezone);
    }
    // Jobs share frequencies, zones and windows (a Defaults window on a fleet): one list each.
    const runId = `${id}\0${JSON.stringify(freq)}`;
    let planned = this.planned.get(runId);
    if (!planned) {
      const found = list;
      planned = [...plannedRuns(freq, timezone, this.from, this.until, (t) => intervalAt(found, t))];
      this.planned.set(runId, planned);
    }
    for (const r of planned) {
      if (!r.moved) continue;
      const e = this.effect(r.moved.window, owner, timezone);
      e.moved++;
      e.suppressed += r.moved.runs;
    }
    return planned.map((r) => r.at);
  }

  /** The effects, in the order the windows were first seen. */
  list(): BlackoutEffect[] {
    return [...this.effects.values()];
  }

  private effect(w: BlackoutWindow, owner: string, timezone: string): BlackoutEffect {
    const who = w.owner === "defaults" ? "defaults" : owner;
    const key = `${who}\0${JSON.stringify(w)}`;
    let e = this.effects.get(key);
    if (!e) {
      const occurrences = blackoutIntervals([w], timezone, this.from, this.until)
        .filter((i) => i.start >= this.from)
        .map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString() }));
      e = { owner: who, window: describeWindow(w), reason: w.reason, occurrences, suppressed: 0, moved: 0 };
      this.effects.set(key, e);
    }
    return e;
  }
}
