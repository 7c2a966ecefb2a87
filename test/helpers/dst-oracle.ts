// An independent oracle for the DST rules of docs/schedules.md: next runs found by walking the local
// wall clock with luxon's DateTime (calendar days, wall times, luxon's own resolution of skipped and
// repeated times), sharing no code with src/schedule's walkers. Only cron field parsing is borrowed
// from cron-parser (which field values match is not what DST changes).
import { CronExpressionParser } from "cron-parser";
import { DateTime } from "luxon";

export type OracleSchedule =
  | { kind: "every"; ms: number; offset: number }
  | { kind: "cron"; expr: string }
  | { kind: "at"; times: string[] };

// No zone changes its clock by more than this at once (Antarctica/Troll: 2 h).
const SLACK = 3 * 3_600_000;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const sameWall = (dt: DateTime, w: Wall) =>
  dt.year === w.year &&
  dt.month === w.month &&
  dt.day === w.day &&
  dt.hour === w.hour &&
  dt.minute === w.minute &&
  dt.second === w.second;

/**
 * Every instant whose local clock in `zone` shows `w`, earliest first: [] for a skipped time. Found
 * by trying the offsets seen around it (`offsets`, minutes) and letting luxon render each candidate.
 */
// Consecutive steps of a chain look at the same wall times again.
const memo = new Map<string, number[]>();

function occurrences(zone: string, w: Wall, offsets: number[]): number[] {
  const wallMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const id = `${zone} ${wallMs} ${offsets.join(" ")}`;
  const hit = memo.get(id);
  if (hit) return hit;
  if (memo.size > 100_000) memo.clear();
  const found = new Set<number>();
  for (const offset of offsets) {
    const ts = wallMs - offset * 60_000;
    if (sameWall(DateTime.fromMillis(ts, { zone }), w)) found.add(ts);
  }
  const out = [...found].sort((a, b) => a - b);
  memo.set(id, out);
  return out;
}

/** The rules: once → then; skipped → shifted by the gap (cron, every) or the gap's end (at); twice → first, and second when `both`. */
function instants(
  zone: string,
  w: Wall,
  gapRule: "shift" | "end",
  both: boolean,
  offsets: number[],
): number[] {
  const occ = occurrences(zone, w, offsets);
  if (occ.length === 0) {
    // luxon moves a skipped wall time forward by the gap's length.
    const shifted = DateTime.fromObject(w, { zone }).toMillis();
    if (gapRule === "shift") return [shifted];
    // The end of the gap: the first instant whose local time is past the skipped wall time.
    let lo = shifted - 3 * 3_600_000;
    let hi = shifted;
    const wallMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    const localOf = (ts: number) => {
      const d = DateTime.fromMillis(ts, { zone });
      return Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second, d.millisecond);
    };
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (localOf(mid) > wallMs) hi = mid;
      else lo = mid;
    }
    return [hi];
  }
  return both ? occ : occ.slice(0, 1);
}

const parsed = new Map<string, ReturnType<typeof CronExpressionParser.parse>["fields"]>();

function fieldsOf(expr: string) {
  let f = parsed.get(expr);
  if (!f) {
    f = CronExpressionParser.parse(expr).fields;
    parsed.set(expr, f);
  }
  return f;
}

/**
 * Wall times of the schedule on one local calendar day (`dayMs`: its midnight as a UTC timestamp)
 * that lie in [lo, hi] (wall ms), ascending.
 */
function wallTimesOn(s: OracleSchedule, dayMs: number, lo: number, hi: number): Wall[] {
  const out: Wall[] = [];
  const date = new Date(dayMs);
  const base = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
  const push = (hour: number, minute: number, second: number) => {
    const wall = dayMs + ((hour * 60 + minute) * 60 + second) * 1000;
    if (wall >= lo && wall <= hi) out.push({ ...base, hour, minute, second });
  };
  if (s.kind === "at") {
    for (const t of [...s.times].sort()) push(Number(t.slice(0, 2)), Number(t.slice(3)), 0);
    return out;
  }
  if (s.kind === "every") {
    // Grid from Monday 1970-01-05 00:00 local clock.
    const anchor = Date.UTC(1970, 0, 5) + s.offset;
    const from = Math.max(dayMs, lo);
    const to = Math.min(dayMs + 86_399_999, hi);
    for (let k = Math.ceil((from - anchor) / s.ms), w = anchor + k * s.ms; w <= to; w = anchor + ++k * s.ms) {
      const d = new Date(w);
      out.push({ ...base, hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() });
    }
    return out;
  }
  const f = fieldsOf(s.expr);
  const has = (values: readonly (number | string)[], v: number) => values.includes(v);
  const dow = date.getUTCDay();
  const domHit = has(f.dayOfMonth.values, base.day);
  const dowHit = has(f.dayOfWeek.values, dow) || (dow === 0 && has(f.dayOfWeek.values, 7));
  const dayOk =
    has(f.month.values, base.month) &&
    (f.dayOfMonth.isWildcard && f.dayOfWeek.isWildcard
      ? true
      : !f.dayOfMonth.isWildcard && !f.dayOfWeek.isWildcard
        ? domHit || dowHit
        : f.dayOfMonth.isWildcard
          ? dowHit
          : domHit);
  if (!dayOk) return out;
  for (const hour of f.hour.values)
    for (const minute of f.minute.values) for (const second of f.second.values) push(hour, minute, second);
  return out;
}

/** True when the schedule runs a repeated fall-back time twice (docs/schedules.md). */
function runsBoth(s: OracleSchedule): boolean {
  if (s.kind === "at") return false;
  if (s.kind === "every") return s.ms <= 3_600_000;
  return fieldsOf(s.expr).hour.values.length === 24;
}

/** The first run strictly after `after` (ms), looking at most `maxDays` local days ahead. */
export function oracleNext(s: OracleSchedule, zone: string, after: number, maxDays = 400): number {
  const gapRule = s.kind === "at" ? "end" : "shift";
  const both = runsBoth(s);
  const local = DateTime.fromMillis(after, { zone });
  let best: number | undefined;
  let bestWall = Number.POSITIVE_INFINITY;
  const afterWall = after + local.offset * 60_000;
  // Far from a change (the same offset a day before and two after) a wall time is one instant.
  const before = DateTime.fromMillis(after - 86_400_000, { zone }).offset;
  const after2 = DateTime.fromMillis(after + 2 * 86_400_000, { zone }).offset;
  const steady = before === local.offset && after2 === before;
  let dayMs = Date.UTC(local.year, local.month - 1, local.day) - 86_400_000;
  for (let n = 0; n < maxDays && dayMs <= bestWall + SLACK; n++, dayMs += 86_400_000) {
    // Wall times more than a clock change away from `after`'s or from the best found cannot win.
    for (const w of wallTimesOn(s, dayMs, afterWall - SLACK, bestWall + SLACK)) {
      const wallMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
      if (wallMs > bestWall + SLACK) break;
      const found = steady ? [wallMs - before * 60_000] : instants(zone, w, gapRule, both, [before, after2]);
      for (const ts of found)
        if (ts > after && (best === undefined || ts < best)) {
          best = ts;
          bestWall = steady ? wallMs : ts + DateTime.fromMillis(ts, { zone }).offset * 60_000;
        }
    }
  }
  if (best === undefined) throw new Error(`oracle: no run within ${maxDays} days`);
  return best;
}
