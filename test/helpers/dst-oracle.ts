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

/** Wall times of the schedule on one local calendar day (a UTC DateTime naming the day), ascending. */
function wallTimesOn(s: OracleSchedule, day: DateTime): Wall[] {
  const out: Wall[] = [];
  const base = { year: day.year, month: day.month, day: day.day };
  if (s.kind === "at") {
    for (const t of [...s.times].sort())
      out.push({ ...base, hour: Number(t.slice(0, 2)), minute: Number(t.slice(3)), second: 0 });
    return out;
  }
  if (s.kind === "every") {
    // Grid from Monday 1970-01-05 00:00 local clock.
    const anchor = Date.UTC(1970, 0, 5) + s.offset;
    const dayMs = Date.UTC(day.year, day.month - 1, day.day);
    let k = Math.ceil((dayMs - anchor) / s.ms);
    for (let w = anchor + k * s.ms; w < dayMs + 86_400_000; w = anchor + ++k * s.ms) {
      const d = new Date(w);
      out.push({ ...base, hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() });
    }
    return out;
  }
  const f = CronExpressionParser.parse(s.expr).fields;
  const has = (values: readonly (number | string)[], v: number) => values.includes(v);
  const dow = day.weekday % 7;
  const domHit = has(f.dayOfMonth.values, day.day);
  const dowHit = has(f.dayOfWeek.values, dow) || (dow === 0 && has(f.dayOfWeek.values, 7));
  const dayOk =
    has(f.month.values, day.month) &&
    (f.dayOfMonth.isWildcard && f.dayOfWeek.isWildcard
      ? true
      : !f.dayOfMonth.isWildcard && !f.dayOfWeek.isWildcard
        ? domHit || dowHit
        : f.dayOfMonth.isWildcard
          ? dowHit
          : domHit);
  if (!dayOk) return out;
  for (const hour of f.hour.values)
    for (const minute of f.minute.values)
      for (const second of f.second.values) out.push({ ...base, hour, minute, second });
  return out;
}

/** True when the schedule runs a repeated fall-back time twice (docs/schedules.md). */
function runsBoth(s: OracleSchedule): boolean {
  if (s.kind === "at") return false;
  if (s.kind === "every") return s.ms <= 3_600_000;
  return CronExpressionParser.parse(s.expr).fields.hour.values.length === 24;
}

/** The first run strictly after `after` (ms), looking at most `maxDays` local days ahead. */
export function oracleNext(s: OracleSchedule, zone: string, after: number, maxDays = 400): number {
  const gapRule = s.kind === "at" ? "end" : "shift";
  const both = runsBoth(s);
  const local = DateTime.fromMillis(after, { zone });
  let day = DateTime.utc(local.year, local.month, local.day).minus({ days: 1 });
  let best: number | undefined;
  let bestWall = Number.POSITIVE_INFINITY;
  const afterWall = after + local.offset * 60_000;
  // Far from a change (the same offset a day before and two after) a wall time is one instant.
  const before = DateTime.fromMillis(after - 86_400_000, { zone }).offset;
  const after2 = DateTime.fromMillis(after + 2 * 86_400_000, { zone }).offset;
  const steady = before === local.offset && after2 === before;
  for (let n = 0; n < maxDays; n++, day = day.plus({ days: 1 })) {
    if (Date.UTC(day.year, day.month - 1, day.day) > bestWall + SLACK) break;
    for (const w of wallTimesOn(s, day)) {
      const wallMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
      // Wall times more than a clock change away from `after`'s or from the best found cannot win.
      if (wallMs < afterWall - SLACK || wallMs > bestWall + SLACK) continue;
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
