// A zone's DST transitions as local clock facts. Two uses:
// - gaps: cron-parser moves a time inside a spring-forward gap by the gap's length (02:30 → 03:30),
//   while `at` promises the end of the gap (03:00), so an `at` time that can fall into a gap is never
//   handed to Agenda as cron;
// - regular zones: where every change is one whole hour on a whole hour (and no fall-back repeats
//   00:00–01:00), cron-parser evaluates crons by the rules in docs/schedules.md. Elsewhere (30-minute
//   shifts like Australia/Lord_Howe, fall-back at midnight) it throws, returns past times or skips runs
//   (test/unit/schedule-dst-zones.test.ts), so schedsync computes those runs itself.
import { zoneOf } from "./wall-clock.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 86_400_000;
// Four-week samples: a change and its reversal are never closer (Morocco's Ramadan pause is ≥ 5 weeks).
const STEP_MS = 28 * DAY_MS;
// A fixed window keeps the result independent of the day it is computed.
const SCAN_FROM = Date.UTC(2026, 0, 1);
const SCAN_TO = Date.UTC(2036, 0, 1);

export interface Gap {
  /** Local minute of the day at which the gap starts. */
  start: number;
  /** Length in minutes. */
  length: number;
}

export interface Transition {
  /** The instant of the change (ms). */
  at: number;
  /** Offsets before and after (ms). */
  before: number;
  after: number;
}

const transitionCache = new Map<string, Transition[]>();

/** Every offset change of the zone from 2026 to 2036 (four-weekly samples, then bisection to the ms). */
export function transitionsOf(timezone: string): Transition[] {
  const cached = transitionCache.get(timezone);
  if (cached) return cached;
  const zone = zoneOf(timezone);
  const at = (ts: number) => zone.offset(ts) * MINUTE_MS;
  const out: Transition[] = [];
  if (!hasChanges(at)) {
    transitionCache.set(timezone, out);
    return out;
  }
  let prevTs = SCAN_FROM;
  let prev = at(prevTs);
  for (let ts = SCAN_FROM + STEP_MS; ts <= SCAN_TO; ts += STEP_MS) {
    const offset = at(ts);
    if (offset !== prev) {
      // To the minute: changes happen on whole minutes (seconds only in 19th-century local times).
      let lo = Math.floor(prevTs / MINUTE_MS);
      let hi = Math.floor(ts / MINUTE_MS);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (at(mid * MINUTE_MS) === offset) hi = mid;
        else lo = mid;
      }
      out.push({ at: hi * MINUTE_MS, before: prev, after: offset });
    }
    prev = offset;
    prevTs = ts;
  }
  transitionCache.set(timezone, out);
  return out;
}

/** Quick look for zones without DST (most of them): one offset on the 1st of every third month. */
function hasChanges(at: (ts: number) => number): boolean {
  const first = at(SCAN_FROM);
  for (let y = new Date(SCAN_FROM).getUTCFullYear(); y < new Date(SCAN_TO).getUTCFullYear(); y++)
    for (const month of [0, 3, 6, 9]) if (at(Date.UTC(y, month, 1)) !== first) return true;
  return false;
}

const gapCache = new Map<string, Gap[]>();

export function gapsOf(timezone: string): Gap[] {
  const cached = gapCache.get(timezone);
  if (cached) return cached;
  const seen = new Map<string, Gap>();
  for (const t of transitionsOf(timezone)) {
    if (t.after <= t.before) continue;
    const localStart = t.at + t.before;
    const start = Math.floor((((localStart % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
    const length = Math.ceil((t.after - t.before) / MINUTE_MS);
    seen.set(`${start}/${length}`, { start, length });
  }
  const gaps = [...seen.values()];
  gapCache.set(timezone, gaps);
  return gaps;
}

/** True when local minute `m` of some day may not exist in the zone. */
export function inGap(timezone: string, m: number): boolean {
  return gapsOf(timezone).some((g) => (m - g.start + 1440) % 1440 < g.length);
}

const regularCache = new Map<string, boolean>();

/**
 * True when every change of the zone is exactly one hour, on a whole local hour, and no fall-back
 * repeats the hour after midnight: there cron-parser (and so Agenda) agrees with schedsync's DST
 * rules (checked for every zone by test/unit/schedule-dst-zones.test.ts). Zones without changes are
 * regular.
 */
export function isRegularZone(timezone: string): boolean {
  let regular = regularCache.get(timezone);
  if (regular === undefined) {
    regular = transitionsOf(timezone).every((t) => {
      if (Math.abs(t.after - t.before) !== HOUR_MS) return false;
      // The wall-clock hour that is skipped (spring) or repeated (fall): [from, from + 1h).
      const from = t.at + Math.min(t.before, t.after);
      const inDay = ((from % DAY_MS) + DAY_MS) % DAY_MS;
      // A fall-back that repeats 00:00–01:00 (Atlantic/Azores, America/Havana): cron-parser runs
      // those times at their second occurrence.
      return inDay % HOUR_MS === 0 && !(t.after < t.before && inDay === 0);
    });
    regularCache.set(timezone, regular);
  }
  return regular;
}

/**
 * The instant (ms) of the zone's first offset change at or after `ts`; +Infinity when none is known
 * up to 2036; `ts` itself outside the scanned years (nothing is known there, so "now").
 */
export function nextChangeAt(timezone: string, ts: number): number {
  if (ts < SCAN_FROM || ts > SCAN_TO) return ts;
  const list = transitionsOf(timezone);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as Transition).at < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? (list[lo] as Transition).at : SCAN_TO;
}
