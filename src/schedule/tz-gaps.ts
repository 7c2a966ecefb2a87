// Spring-forward gaps of a timezone as local minutes of the day. cron-parser moves a time inside a gap
// by the gap's length (02:30 → 03:30), while schedsync runs it at the end of the gap (03:00), so an
// `at` time that can fall into a gap cannot be handed to Agenda as cron.
import { offsetMs, zoneOf } from "./wall-clock.js";

const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 86_400_000;
// A fixed window keeps the result independent of the day it is computed.
const SCAN_FROM = Date.UTC(2020, 0, 1);
const SCAN_TO = Date.UTC(2040, 0, 1);

export interface Gap {
  /** Local minute of the day at which the gap starts. */
  start: number;
  /** Length in minutes. */
  length: number;
}

const cache = new Map<string, Gap[]>();

export function gapsOf(timezone: string): Gap[] {
  const cached = cache.get(timezone);
  if (cached) return cached;
  const zone = zoneOf(timezone);
  const seen = new Map<string, Gap>();
  let prevTs = SCAN_FROM;
  let prev = offsetMs(zone, prevTs);
  for (let ts = SCAN_FROM + WEEK_MS; ts <= SCAN_TO; ts += WEEK_MS) {
    const offset = offsetMs(zone, ts);
    if (offset > prev) {
      let lo = prevTs;
      let hi = ts;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetMs(zone, mid) === offset) hi = mid;
        else lo = mid;
      }
      const localStart = hi + prev;
      const start = Math.floor((((localStart % 86_400_000) + 86_400_000) % 86_400_000) / MINUTE_MS);
      const length = Math.ceil((offset - prev) / MINUTE_MS);
      seen.set(`${start}/${length}`, { start, length });
    }
    prev = offset;
    prevTs = ts;
  }
  const gaps = [...seen.values()];
  cache.set(timezone, gaps);
  return gaps;
}

/** True when local minute `m` of some day may not exist in the zone. */
export function inGap(timezone: string, m: number): boolean {
  return gapsOf(timezone).some((g) => (m - g.start + 1440) % 1440 < g.length);
}
