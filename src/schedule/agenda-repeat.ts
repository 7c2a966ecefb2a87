// How a frequency repeats inside Agenda 6 (node_modules/agenda/dist/utils/nextRunAt.js): a cron
// string is evaluated by cron-parser in repeatTimezone from lastRunAt; a number is ms after lastRunAt.
// Forms Agenda cannot express exactly, or would evaluate wrongly (crons in zones that are not regular,
// tz-gaps.ts), get `managedNextRun`: the runtime worker sets nextRunAt itself with nextRunAfter().
import type { Frequency } from "./model.js";
import { hasHash, resolvePhase } from "./phase.js";
import { inGap, isRegularZone } from "./tz-gaps.js";
import { parseClock } from "./wall-clock.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type AgendaRepeat =
  | { repeatInterval: string | number; repeatTimezone: string; managedNextRun: false }
  | { repeatInterval: null; repeatTimezone: string; managedNextRun: true };

/**
 * null for automatic/off: such jobs never run on a timer. `key` (the job key) fixes the phase of
 * `every` with offset "H" and of H in crons (phase.ts); without it such a frequency throws.
 */
export function toAgendaRepeat(freq: Frequency, timezone: string, key?: string): AgendaRepeat | null {
  const f = key === undefined ? freq : resolvePhase(freq, key);
  switch (f.kind) {
    case "off":
    case "automatic":
      return null;
    case "cron":
      if (hasHash(f.expr)) throw new Error(`cron "${f.expr}" needs the job key to draw H`);
      return cronRepeat(f.expr, timezone);
    case "every": {
      if (f.offset === "H") throw new Error(`every ${f.text} needs the job key to draw its offset`);
      if (f.offset === undefined) {
        const expr = everyAsCron(f.ms);
        return expr ? cronRepeat(expr, timezone) : agenda(f.ms, timezone);
      }
      const expr = everyAsCron(f.ms, f.offset);
      return expr ? cronRepeat(expr, timezone) : managed(timezone);
    }
    case "at": {
      const expr = atAsCron(f.times, timezone);
      return expr ? cronRepeat(expr, timezone) : managed(timezone);
    }
  }
}

function agenda(repeatInterval: string | number, repeatTimezone: string): AgendaRepeat {
  return { repeatInterval, repeatTimezone, managedNextRun: false };
}

function managed(repeatTimezone: string): AgendaRepeat {
  return { repeatInterval: null, repeatTimezone, managedNextRun: true };
}

function cronRepeat(expr: string, timezone: string): AgendaRepeat {
  return isRegularZone(timezone) ? agenda(expr, timezone) : managed(timezone);
}

/**
 * An equivalent cron for `every: ms` with a phase of `offset` ms (0 ≤ offset < ms, whole seconds) when
 * the interval evenly divides a minute, an hour or a day (runs on the local clock at offset, offset +
 * ms, …); else undefined. Whole-minute phases give 5 fields, others 6 (seconds first).
 */
export function everyAsCron(ms: number, offset = 0): string | undefined {
  if (ms <= 0 || offset < 0 || offset >= ms || offset % SECOND !== 0) return undefined;
  const s = (offset / SECOND) % 60;
  const m = Math.floor(offset / MINUTE) % 60;
  const h = Math.floor(offset / HOUR);
  const withSeconds = (rest: string) => (s === 0 ? rest : `${s} ${rest}`);
  const step = (start: number, n: number) => (n === 1 ? "*" : start === 0 ? `*/${n}` : `${start}/${n}`);
  if (ms < MINUTE && ms % SECOND === 0 && MINUTE % ms === 0) return `${step(s, ms / SECOND)} * * * * *`;
  if (ms < HOUR && ms % MINUTE === 0 && HOUR % ms === 0)
    return withSeconds(`${step(m, ms / MINUTE)} * * * *`);
  if (ms === HOUR) return withSeconds(`${m} * * * *`);
  if (ms < DAY && ms % HOUR === 0 && DAY % ms === 0) return withSeconds(`${m} ${step(h, ms / HOUR)} * * *`);
  if (ms === DAY) return withSeconds(`${m} ${h} * * *`);
  return undefined;
}

/**
 * One cron for daily times that are a cartesian product hours × minutes and that never fall into a
 * DST gap of the zone (there cron-parser and schedsync's rule disagree); else undefined.
 */
export function atAsCron(times: readonly string[], timezone: string): string | undefined {
  const minutesOfDay = [...new Set(times.map(parseClock))];
  if (minutesOfDay.length === 0) return undefined;
  if (minutesOfDay.some((m) => inGap(timezone, m))) return undefined;
  const hours = [...new Set(minutesOfDay.map((m) => Math.floor(m / 60)))].sort((a, b) => a - b);
  const minutes = [...new Set(minutesOfDay.map((m) => m % 60))].sort((a, b) => a - b);
  if (hours.length * minutes.length !== minutesOfDay.length) return undefined;
  // With all 24 hours cron-parser runs the repeated fall-back hour twice; `at` runs a time once.
  if (hours.length === 24) return undefined;
  return `${minutes.join(",")} ${hours.join(",")} * * *`;
}
