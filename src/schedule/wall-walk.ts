// schedsync's own next-run computation for repeats Agenda is not given (managedNextRun), by walking
// local wall-clock time with the DST rules of docs/schedules.md:
// - a wall time that exists once runs then;
// - a wall time skipped by a spring-forward gap runs shifted by the gap's length (02:30 → 03:30, as
//   cron-parser does in regular zones);
// - a wall time that occurs twice at fall-back runs at its first occurrence, and at the second as
//   well when the schedule runs at least hourly (`every` ≤ 1h, or a cron whose hour field is `*`), so
//   such schedules keep running through the repeated time.
import { CronExpressionParser } from "cron-parser";
import type { IANAZone } from "luxon";
import { offsetMs, zoneOf } from "./wall-clock.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// Wall-clock origin of `every` grids: Monday 1970-01-05 00:00 local, so `every: 7d` keeps a weekday
// and intervals dividing a day start at local midnight.
const ANCHOR = Date.UTC(1970, 0, 5);
// No zone moves its clock by more than this at once (the largest changes are 1 h, dateline moves 24 h
// happened before 2012); wall times this far from `after` cannot give the next run.
const SLACK = 4 * HOUR_MS;
// Cron searches stop after this many days (Feb 29 on a given weekday recurs within 28 years, but a
// leap day alone within 8).
const MAX_CRON_DAYS = 366 * 9;

/** Instants at which wall time `wall` (ms, local clock as if UTC) runs, by the rules above, sorted. */
export function wallInstants(zone: IANAZone, wall: number, both: boolean): number[] {
  const before = offsetMs(zone, wall - DAY_MS);
  const after = offsetMs(zone, wall + DAY_MS);
  if (before === after) return [wall - before];
  const hits = [wall - before, wall - after].filter((ts) => ts + offsetMs(zone, ts) === wall);
  if (hits.length === 0) return [wall - before]; // in a gap
  hits.sort((a, b) => a - b);
  if (hits.length === 2 && hits[0] !== hits[1]) return both ? hits : hits.slice(0, 1);
  return hits.slice(0, 1);
}

/**
 * The next run after `after` of `every: ms` with phase `offset` (ms, 0 ≤ offset < ms): local wall
 * times ANCHOR + offset + k·ms. Throws if none is found within the bound (cannot happen for ms ≤ 7d).
 */
export function nextEveryAfter(ms: number, offset: number, timezone: string, after: Date): Date {
  const zone = zoneOf(timezone);
  const t = after.getTime();
  const o = offsetMs(zone, t);
  const w = t + o;
  // No change near: plain arithmetic.
  if (offsetMs(zone, t - SLACK) === o && offsetMs(zone, t + ms + SLACK) === o) {
    const k = Math.floor((w - ANCHOR - offset) / ms) + 1;
    return new Date(ANCHOR + offset + k * ms - o);
  }
  const both = ms <= HOUR_MS;
  let best: number | undefined;
  const first = Math.floor((w - SLACK - ANCHOR - offset) / ms);
  const last = Math.ceil((w + ms + SLACK - ANCHOR - offset) / ms);
  for (let k = first; k <= last; k++) {
    for (const ts of wallInstants(zone, ANCHOR + offset + k * ms, both))
      if (ts > t && (best === undefined || ts < best)) best = ts;
  }
  if (best === undefined) throw new Error(`no run of every ${ms} ms found after ${after.toISOString()}`);
  return new Date(best);
}

interface CronSets {
  seconds: number[];
  minutes: number[];
  hours: number[];
  months: boolean[];
  dom: boolean[];
  lastDom: boolean;
  dow: boolean[];
  domAny: boolean;
  dowAny: boolean;
}

const parsed = new Map<string, CronSets>();

function cronSets(expr: string): CronSets {
  let sets = parsed.get(expr);
  if (!sets) {
    const f = CronExpressionParser.parse(expr).fields;
    const flags = (values: readonly (number | string)[], size: number) => {
      const out = new Array<boolean>(size).fill(false);
      for (const v of values) if (typeof v === "number") out[v % size] = true;
      return out;
    };
    sets = {
      seconds: [...f.second.values] as number[],
      minutes: [...f.minute.values] as number[],
      hours: [...f.hour.values] as number[],
      months: flags(f.month.values, 13),
      dom: flags(f.dayOfMonth.values, 32),
      lastDom: (f.dayOfMonth.values as readonly (number | string)[]).includes("L"),
      dow: flags(f.dayOfWeek.values as readonly (number | string)[], 7),
      domAny: f.dayOfMonth.isWildcard,
      dowAny: f.dayOfWeek.isWildcard,
    };
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(expr, sets);
  }
  return sets;
}

function dayMatches(c: CronSets, day: number): boolean {
  const d = new Date(day);
  if (!c.months[d.getUTCMonth() + 1]) return false;
  const date = d.getUTCDate();
  const domHit = c.dom[date] || (c.lastDom && new Date(day + DAY_MS).getUTCDate() === 1);
  const dowHit = c.dow[d.getUTCDay()] ?? false;
  if (c.domAny && c.dowAny) return true;
  if (!c.domAny && !c.dowAny) return domHit || dowHit;
  return c.domAny ? dowHit : domHit;
}

/**
 * The next run after `after` of a (5- or 6-field) cron evaluated on the local wall clock of the zone
 * by the rules above. Day-of-week `#` and `L` items are not supported here (the loader's crons in
 * zones that are not regular should not use them). Throws if nothing matches within 9 years.
 */
export function nextWallCronAfter(expr: string, timezone: string, after: Date): Date {
  const c = cronSets(expr);
  const zone = zoneOf(timezone);
  const both = c.hours.length === 24;
  const t = after.getTime();
  const w = t + offsetMs(zone, t);
  let best: number | undefined;
  let bestWall = Number.POSITIVE_INFINITY;
  let day = w - (((w % DAY_MS) + DAY_MS) % DAY_MS) - DAY_MS;
  for (let n = 0; n < MAX_CRON_DAYS && day <= bestWall + SLACK; n++, day += DAY_MS) {
    if (!dayMatches(c, day)) continue;
    for (const h of c.hours)
      for (const m of c.minutes)
        for (const s of c.seconds) {
          const wall = day + h * HOUR_MS + m * 60_000 + s * 1000;
          if (wall < w - SLACK || wall > bestWall + SLACK) continue;
          for (const ts of wallInstants(zone, wall, both))
            if (ts > t && (best === undefined || ts < best)) {
              best = ts;
              bestWall = ts + offsetMs(zone, ts);
            }
        }
  }
  if (best === undefined)
    throw new Error(`cron "${expr}" has no run within 9 years after ${after.toISOString()}`);
  return new Date(best);
}
