// How a frequency repeats inside Agenda 6 (node_modules/agenda/dist/utils/nextRunAt.js): a cron
// string is evaluated by cron-parser in repeatTimezone from lastRunAt; a number is ms after lastRunAt.
// Forms Agenda cannot express exactly get `managedNextRun`: the runtime worker sets nextRunAt itself
// after each run with nextRunAfter().
import type { Frequency } from "./model.js";
import { inGap } from "./tz-gaps.js";
import { parseClock } from "./wall-clock.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type AgendaRepeat =
  | { repeatInterval: string | number; repeatTimezone: string; managedNextRun: false }
  | { repeatInterval: null; repeatTimezone: string; managedNextRun: true };

/** null for automatic/off: such jobs never run on a timer. */
export function toAgendaRepeat(freq: Frequency, timezone: string): AgendaRepeat | null {
  switch (freq.kind) {
    case "off":
    case "automatic":
      return null;
    case "cron":
      return agenda(freq.expr, timezone);
    case "every":
      return agenda(everyAsCron(freq.ms) ?? freq.ms, timezone);
    case "at": {
      const expr = atAsCron(freq.times, timezone);
      return expr
        ? agenda(expr, timezone)
        : { repeatInterval: null, repeatTimezone: timezone, managedNextRun: true };
    }
  }
}

function agenda(repeatInterval: string | number, repeatTimezone: string): AgendaRepeat {
  return { repeatInterval, repeatTimezone, managedNextRun: false };
}

/** An equivalent cron when the interval evenly divides a minute, an hour or a day; else undefined. */
export function everyAsCron(ms: number): string | undefined {
  if (ms <= 0) return undefined;
  if (ms < MINUTE && ms % SECOND === 0 && MINUTE % ms === 0) return `*/${ms / SECOND} * * * * *`;
  if (ms === MINUTE) return "* * * * *";
  if (ms < HOUR && ms % MINUTE === 0 && HOUR % ms === 0) return `*/${ms / MINUTE} * * * *`;
  if (ms === HOUR) return "0 * * * *";
  if (ms < DAY && ms % HOUR === 0 && DAY % ms === 0) return `0 */${ms / HOUR} * * *`;
  if (ms === DAY) return "0 0 * * *";
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
  return `${minutes.join(",")} ${hours.join(",")} * * *`;
}
