// When a job runs next, computed exactly the way it will really run: repeats Agenda keeps are
// evaluated as Agenda does (cron-parser in the merchant's timezone from the last run; ms after the last
// run), and `managedNextRun` forms with schedsync's own DST rules (wall-clock.ts, wall-walk.ts).
import { CronExpressionParser } from "cron-parser";
import { toAgendaRepeat } from "./agenda-repeat.js";
import type { Frequency } from "./model.js";
import { resolvePhase } from "./phase.js";
import { localDay, offsetMs, parseClock, wallClockInstant, zoneOf } from "./wall-clock.js";
import { nextEveryAfter, nextWallCronAfter } from "./wall-walk.js";

const DAY_MS = 86_400_000;

/**
 * The next `count` run instants strictly after `from` (taken as the last run); [] for automatic/off.
 * `key` (the job key) fixes load-spreading phases (phase.ts); frequencies without "H" do not need it.
 */
export function nextRuns(freq: Frequency, timezone: string, from: Date, count: number, key?: string): Date[] {
  const f = key === undefined ? freq : resolvePhase(freq, key);
  const out: Date[] = [];
  let last = from;
  while (out.length < count) {
    const next = nextRunAfter(f, timezone, last);
    if (!next) break;
    out.push(next);
    last = next;
  }
  return out;
}

/**
 * The run that follows a run started at `after`; null for automatic/off. The runtime worker uses this
 * to reschedule jobs whose repeat is `managedNextRun` (see docs/reconcile.md). Always later than
 * `after`. Throws only for a frequency the loader rejects (bad cron, "H" without a key).
 */
export function nextRunAfter(freq: Frequency, timezone: string, after: Date, key?: string): Date | null {
  const f = key === undefined ? freq : resolvePhase(freq, key);
  if (f.kind === "at") return nextAtAfter(f.times, timezone, after);
  // A phased `every` is a local wall-clock grid; where Agenda runs it as a cron, cron-parser gives the
  // same instants (test/unit/schedule-dst-zones.test.ts), and arithmetic is much cheaper.
  if (f.kind === "every" && typeof f.offset === "number")
    return nextEveryAfter(f.ms, f.offset, timezone, after);
  const repeat = toAgendaRepeat(f, timezone);
  if (!repeat) return null;
  if (repeat.managedNextRun) {
    if (f.kind === "every") return nextEveryAfter(f.ms, 0, timezone, after);
    if (f.kind === "cron") return nextWallCronAfter(f.expr, timezone, after);
    return null;
  }
  if (typeof repeat.repeatInterval === "number") return new Date(after.getTime() + repeat.repeatInterval);
  return nextCronAfter(repeat.repeatInterval, timezone, after);
}

/** Same evaluation as Agenda's computeFromInterval for a cron repeatInterval with a lastRunAt. */
export function nextCronAfter(expr: string, timezone: string, after: Date): Date {
  let next = CronExpressionParser.parse(expr, { currentDate: after, tz: timezone }).next().toDate();
  if (next.getTime() <= after.getTime()) {
    const nudged = new Date(after.getTime() + 1000);
    next = CronExpressionParser.parse(expr, { currentDate: nudged, tz: timezone }).next().toDate();
  }
  return next;
}

/** The first of the daily local `times` strictly after `after`. */
export function nextAtAfter(times: readonly string[], timezone: string, after: Date): Date | null {
  if (times.length === 0) return null;
  const zone = zoneOf(timezone);
  const minutes = times.map(parseClock);
  const t = after.getTime();
  const today = localDay(zone, t);
  // Fast path: one offset over the whole window (no DST change near), so plain arithmetic is exact.
  const offset = offsetMs(zone, t - DAY_MS);
  const steady = offsetMs(zone, t + 3 * DAY_MS) === offset && offsetMs(zone, t + DAY_MS) === offset;
  const instant = steady
    ? (day: number, m: number) => day + m * 60_000 - offset
    : (day: number, m: number) => wallClockInstant(zone, day, m);
  let best: number | undefined;
  // Yesterday's times can land after `after` only around a transition; two days ahead is always enough.
  for (let d = -1; d <= 2 && best === undefined; d++) {
    for (const m of minutes) {
      const ts = instant(today + d * DAY_MS, m);
      if (ts > t && (best === undefined || ts < best)) best = ts;
    }
  }
  return best === undefined ? null : new Date(best);
}

/**
 * nextRunAfter for many jobs at one instant (apply computing first runs): cron-parser costs ~0.5 ms a
 * call, and most jobs share a frequency and timezone, so each distinct pair is computed once. Pass
 * frequencies with their phase resolved (resolvePhase).
 */
export function nextRunsAt(after: Date): (freq: Frequency, timezone: string) => Date | null {
  const cache = new Map<string, Date | null>();
  return (freq, timezone) => {
    const id = `${timezone}\0${JSON.stringify(freq)}`;
    let next = cache.get(id);
    if (next === undefined) {
      next = nextRunAfter(freq, timezone, after);
      cache.set(id, next);
    }
    return next === null ? null : new Date(next.getTime());
  };
}
