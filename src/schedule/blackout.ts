// Blackout windows (docs/schedules.md, Blackout windows): when no transmission may start. Pure.
// Times are the merchant's local clock, with the DST rules of docs/schedules.md: a window starts at
// the first moment its start time is on the clock and ends at the last moment its end time is (so a
// fall-back never shortens it); a time skipped by a spring-forward gap is the end of the gap (as
// `at`). A cron window starts where the same cron would run a job and lasts its duration of
// elapsed time.
import type { BlackoutWindow, Frequency } from "./model.js";
import { nextRunAfter } from "./next-runs.js";
import { lastWallClockInstant, localDay, parseClock, wallClockInstant, zoneOf } from "./wall-clock.js";

const DAY_MS = 86_400_000;
/** Windows that follow on each other are one blackout; at most this many are joined (a guard). */
const MAX_CHAIN = 1_000;
/** Intervals of one cron window listed at most per call (a guard against "* * * * *"). */
const MAX_CRON_STARTS = 10_000;

/** One occurrence of a window: [start, end) in ms since the epoch. */
export interface Interval {
  start: number;
  end: number;
  window: BlackoutWindow;
}

/** An active blackout: the window the instant is in, and when the blackout (windows joined) ends. */
export interface Blackout {
  window: BlackoutWindow;
  start: Date;
  end: Date;
}

const DATED = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * The instant of a dated window's `start`/`end` text: with an offset (Z, +01:00) as written; else
 * the local time in `timezone`, its first occurrence (`which` "first") or last ("last"). NaN when
 * the text is not a date-time or names a day that does not exist (2026-02-30).
 */
export function datedInstant(text: string, timezone: string, which: "first" | "last"): number {
  if (/(Z|[+-]\d{2}:\d{2})$/.test(text)) return Date.parse(text);
  const m = DATED.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h = "0", mi = "0", s = "0"] = m;
  const day = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const date = new Date(day);
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return Number.NaN;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return Number.NaN;
  const zone = zoneOf(timezone);
  const at = which === "first" ? wallClockInstant : lastWallClockInstant;
  return at(zone, day, Number(h) * 60 + Number(mi)) + Number(s) * 1000;
}

function cronFrequency(w: { cron: string }): Frequency {
  return { kind: "cron", expr: w.cron };
}

/** The occurrences of one window that overlap [from, to) (ms), in start order. */
export function windowIntervals(w: BlackoutWindow, timezone: string, from: number, to: number): Interval[] {
  const out: Interval[] = [];
  const keep = (start: number, end: number) => {
    if (end > start && end > from && start < to) out.push({ start, end, window: w });
  };
  if (w.kind === "dated") {
    keep(datedInstant(w.start, timezone, "first"), datedInstant(w.end, timezone, "last"));
  } else if (w.kind === "daily") {
    const zone = zoneOf(timezone);
    const fromMin = parseClock(w.from);
    const toMin = parseClock(w.to);
    const crosses = toMin <= fromMin;
    // A window that crosses midnight started on the local day before.
    for (let day = localDay(zone, from) - DAY_MS; day <= localDay(zone, to) + DAY_MS; day += DAY_MS) {
      const endDay = crosses ? day + DAY_MS : day;
      keep(wallClockInstant(zone, day, fromMin), lastWallClockInstant(zone, endDay, toMin));
    }
  } else {
    const freq = cronFrequency(w);
    // A start later than from − duration still covers from; nextRunAfter is strictly after.
    let start = nextRunAfter(freq, timezone, new Date(from - w.durationMs));
    for (let n = 0; start && start.getTime() < to && n < MAX_CRON_STARTS; n++) {
      keep(start.getTime(), start.getTime() + w.durationMs);
      start = nextRunAfter(freq, timezone, start);
    }
  }
  return out;
}

/** The occurrences of all windows that contain the instant t (ms). */
function containing(windows: readonly BlackoutWindow[], timezone: string, t: number): Interval[] {
  return windows.flatMap((w) => windowIntervals(w, timezone, t, t + 1));
}

/**
 * The blackout at `at`: the window it is in (the first listed, if several) and the end of the
 * blackout, following windows that overlap or touch (a window ending as another starts is one
 * blackout). null when no window covers `at`. A window is [start, end): at its end runs may start.
 */
export function blackoutAt(
  windows: readonly BlackoutWindow[] | undefined,
  timezone: string,
  at: Date,
): Blackout | null {
  if (!windows?.length) return null;
  // Thousands of jobs share their windows and run times (apply, plan): a cron window costs a
  // cron-parser call or two each time, so answers are kept per (timezone, instant, windows).
  const id = `${timezone}\0${at.getTime()}\0${JSON.stringify(windows)}`;
  let found = memo.get(id);
  if (found === undefined) {
    found = compute(windows, timezone, at.getTime());
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(id, found);
  }
  return found && { window: found.window, start: new Date(found.start), end: new Date(found.end) };
}

const MEMO_SIZE = 10_000;
const memo = new Map<string, { window: BlackoutWindow; start: number; end: number } | null>();

function compute(
  windows: readonly BlackoutWindow[],
  timezone: string,
  t: number,
): { window: BlackoutWindow; start: number; end: number } | null {
  const hits = containing(windows, timezone, t);
  const first = hits[0];
  if (!first) return null;
  const start = Math.min(...hits.map((h) => h.start));
  let end = Math.max(...hits.map((h) => h.end));
  for (let n = 0; n < MAX_CHAIN; n++) {
    const next = containing(windows, timezone, end);
    if (!next.length) break;
    end = Math.max(...next.map((h) => h.end));
  }
  return { window: first.window, start, end };
}

/** The first instant at or after `at` outside every window: `at` itself, or the blackout's end. */
export function nextAllowed(
  windows: readonly BlackoutWindow[] | undefined,
  timezone: string,
  at: Date,
): Date {
  return blackoutAt(windows, timezone, at)?.end ?? at;
}

/**
 * The next blackout that starts after `after` (ms, exclusive): its first window and when it starts
 * and ends (joined windows, as blackoutAt). null when no window starts again.
 */
export function nextBlackout(
  windows: readonly BlackoutWindow[] | undefined,
  timezone: string,
  after: Date,
): Blackout | null {
  if (!windows?.length) return null;
  const t = after.getTime();
  let best: { start: number; window: BlackoutWindow } | undefined;
  for (const w of windows) {
    const start = nextStart(w, timezone, t);
    if (start !== undefined && (!best || start < best.start)) best = { start, window: w };
  }
  if (!best) return null;
  const b = blackoutAt(windows, timezone, new Date(best.start));
  return { window: best.window, start: new Date(best.start), end: b?.end ?? new Date(best.start) };
}

function nextStart(w: BlackoutWindow, timezone: string, after: number): number | undefined {
  if (w.kind === "cron") return nextRunAfter(cronFrequency(w), timezone, new Date(after))?.getTime();
  if (w.kind === "dated") {
    const start = datedInstant(w.start, timezone, "first");
    return start > after ? start : undefined;
  }
  // Daily: one of the next three local days (a DST day can push a start across a day line).
  return windowIntervals(w, timezone, after, after + 3 * DAY_MS).find((i) => i.start > after)?.start;
}

/**
 * The blackouts overlapping [from, to) (ms) with windows joined as blackoutAt does, in start order;
 * for simulate and explain, which look at a whole period at once.
 */
export function blackoutIntervals(
  windows: readonly BlackoutWindow[] | undefined,
  timezone: string,
  from: number,
  to: number,
): Interval[] {
  if (!windows?.length) return [];
  const all = windows
    .flatMap((w) => windowIntervals(w, timezone, from, to))
    .sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of all) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/** The interval of `intervals` (sorted, disjoint) that contains t, by binary search. */
export function intervalAt(intervals: readonly Interval[], t: number): Interval | undefined {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const i = intervals[mid] as Interval;
    if (t < i.start) hi = mid - 1;
    else if (t >= i.end) lo = mid + 1;
    else return i;
  }
  return undefined;
}

/** A window as one line: `cron "0 2 * * 0" for 2h`, `daily 23:00-01:00`, `2026-11-27T00:00 to …`. */
export function describeWindow(w: BlackoutWindow): string {
  const when =
    w.kind === "cron"
      ? `cron "${w.cron}" for ${w.duration}`
      : w.kind === "daily"
        ? `daily ${w.from}-${w.to}`
        : `${w.start} to ${w.end}`;
  const only = w.services ? ` (${w.services.join(", ")})` : "";
  return `${when}${only}${w.reason ? `: ${w.reason}` : ""}`;
}
