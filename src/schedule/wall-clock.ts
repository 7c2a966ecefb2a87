// Turning a local wall-clock time into an instant, with the DST rules schedsync promises for `at`:
// a time skipped by a spring-forward gap runs at the first instant after the gap, and a time that
// occurs twice at fall-back runs once, at its first occurrence.
import { IANAZone } from "luxon";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const zones = new Map<string, IANAZone>();

export function zoneOf(timezone: string): IANAZone {
  let zone = zones.get(timezone);
  if (!zone) {
    zone = IANAZone.create(timezone);
    if (!zone.isValid) throw new Error(`unknown timezone: ${timezone}`);
    zones.set(timezone, zone);
  }
  return zone;
}

const HOUR_MS = 3_600_000;
// Offsets per zone and UTC hour: the same at both ends of an hour means the same all through it (no
// zone changes twice within an hour). luxon asks Intl on each call, the slow part of long chains.
const hourly = new Map<IANAZone, Map<number, number>>();

/** Offset of the zone from UTC at an instant, in ms. */
export function offsetMs(zone: IANAZone, ts: number): number {
  const hour = Math.floor(ts / HOUR_MS);
  let cache = hourly.get(zone);
  if (!cache || cache.size > 200_000) {
    cache = new Map();
    hourly.set(zone, cache);
  }
  let offset = cache.get(hour);
  if (offset === undefined) {
    const start = zone.offset(hour * HOUR_MS);
    offset = start === zone.offset((hour + 1) * HOUR_MS - 1) ? start * MINUTE_MS : Number.NaN;
    cache.set(hour, offset);
  }
  return Number.isNaN(offset) ? zone.offset(ts) * MINUTE_MS : offset;
}

/** "HH:MM" → minutes after midnight. */
export function parseClock(time: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) throw new Error(`bad time of day: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Minutes after midnight → "HH:MM". */
export function formatClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

/** The local calendar day (as a UTC-midnight timestamp) that an instant falls on in the zone. */
export function localDay(zone: IANAZone, ts: number): number {
  const local = ts + offsetMs(zone, ts);
  return local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * The instant at which local wall time `day + minutes` happens in the zone. `day` is a UTC-midnight
 * timestamp naming the local calendar day.
 */
export function wallClockInstant(zone: IANAZone, day: number, minutes: number): number {
  return occurrences(zone, day, minutes)[0] ?? gapEnd(zone, day + minutes * MINUTE_MS);
}

/**
 * The last instant at which local wall time `day + minutes` happens: the second occurrence of a
 * time repeated at fall-back, else as wallClockInstant (a time in a gap: the end of the gap).
 */
export function lastWallClockInstant(zone: IANAZone, day: number, minutes: number): number {
  return occurrences(zone, day, minutes).at(-1) ?? gapEnd(zone, day + minutes * MINUTE_MS);
}

/** The instants at which a wall time happens, earliest first: 0 (in a gap), 1 or 2 (fall-back). */
function occurrences(zone: IANAZone, day: number, minutes: number): number[] {
  const wall = day + minutes * MINUTE_MS;
  // Offsets either side of this wall time; at most one transition happens within a day of it.
  const before = offsetMs(zone, wall - DAY_MS);
  const after = offsetMs(zone, wall + DAY_MS);
  return [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((ts) => ts + offsetMs(zone, ts) === wall)
    .sort((a, b) => a - b);
}

/** A wall time in a gap: the transition instant, the first one whose offset is the later one. */
function gapEnd(zone: IANAZone, wall: number): number {
  const before = offsetMs(zone, wall - DAY_MS);
  const after = offsetMs(zone, wall + DAY_MS);
  let lo = wall - Math.max(before, after);
  let hi = wall - Math.min(before, after);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(zone, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}
