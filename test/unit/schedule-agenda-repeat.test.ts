import { describe, expect, it } from "vitest";
// Agenda's own next-run computation; not in its package exports, so imported by path.
import { computeFromInterval } from "../../node_modules/agenda/dist/utils/nextRunAt.js";
import { toAgendaRepeat } from "../../src/schedule/agenda-repeat.js";
import type { Frequency } from "../../src/schedule/model.js";
import { nextRuns } from "../../src/schedule/next-runs.js";
import { gapsOf } from "../../src/schedule/tz-gaps.js";
import { rng } from "../helpers/rng.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (...times: string[]): Frequency => ({ kind: "at", times });
const every = (ms: number, text = "x"): Frequency => ({ kind: "every", ms, text });

describe("toAgendaRepeat", () => {
  it("is null for automatic and off", () => {
    expect(toAgendaRepeat({ kind: "off" }, "UTC")).toBeNull();
    expect(toAgendaRepeat({ kind: "automatic", windowMs: 0, maxBatch: 1 }, "UTC")).toBeNull();
  });
  it("keeps cron as is, in the merchant's timezone", () => {
    expect(toAgendaRepeat({ kind: "cron", expr: "15 */2 * * *" }, "Europe/London")).toEqual({
      repeatInterval: "15 */2 * * *",
      repeatTimezone: "Europe/London",
      managedNextRun: false,
    });
  });
  it("turns every that divides an hour or a day into cron, other intervals into ms", () => {
    const repeat = (ms: number) => toAgendaRepeat(every(ms), "UTC")?.repeatInterval;
    expect(repeat(MIN)).toBe("* * * * *");
    expect(repeat(5 * MIN)).toBe("*/5 * * * *");
    expect(repeat(30 * MIN)).toBe("*/30 * * * *");
    expect(repeat(HOUR)).toBe("0 * * * *");
    expect(repeat(2 * HOUR)).toBe("0 */2 * * *");
    expect(repeat(12 * HOUR)).toBe("0 */12 * * *");
    expect(repeat(24 * HOUR)).toBe("0 0 * * *");
    expect(repeat(7 * MIN)).toBe(7 * MIN);
    expect(repeat(90 * MIN)).toBe(90 * MIN);
    expect(repeat(5 * HOUR)).toBe(5 * HOUR);
    expect(repeat(7 * 24 * HOUR)).toBe(7 * 24 * HOUR);
  });
  it("turns cartesian at-times into one cron", () => {
    expect(toAgendaRepeat(at("18:00", "06:00"), "America/New_York")?.repeatInterval).toBe("0 6,18 * * *");
    expect(toAgendaRepeat(at("06:15", "06:45", "18:15", "18:45"), "UTC")?.repeatInterval).toBe(
      "15,45 6,18 * * *",
    );
  });
  it("leaves other at-times to the runtime worker", () => {
    const managed = { repeatInterval: null, repeatTimezone: "UTC", managedNextRun: true };
    expect(toAgendaRepeat(at("06:00", "18:30"), "UTC")).toEqual(managed);
  });
  it("leaves at-times that can fall into a DST gap to the runtime worker", () => {
    expect(toAgendaRepeat(at("02:30"), "America/New_York")?.managedNextRun).toBe(true);
    expect(toAgendaRepeat(at("01:15"), "Europe/London")?.managedNextRun).toBe(true);
    expect(toAgendaRepeat(at("02:30"), "Asia/Kolkata")?.repeatInterval).toBe("30 2 * * *");
  });
  it("knows each zone's gaps", () => {
    expect(gapsOf("America/New_York")).toEqual([{ start: 120, length: 60 }]);
    expect(gapsOf("Europe/London")).toEqual([{ start: 60, length: 60 }]);
    expect(gapsOf("Asia/Kolkata")).toEqual([]);
    expect(gapsOf("UTC")).toEqual([]);
  });
});

// Instants of the 2026 DST changes (and plain days for zones without DST).
const CHANGES: Record<string, string[]> = {
  "America/New_York": ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z"],
  "Europe/London": ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z"],
  "Australia/Sydney": ["2026-04-04T16:00:00Z", "2026-10-03T16:00:00Z"],
  "America/Santiago": ["2026-04-05T03:00:00Z", "2026-09-06T04:00:00Z"],
  "Asia/Kolkata": ["2026-03-08T07:00:00Z"],
  UTC: ["2026-11-01T06:00:00Z"],
};
const EVERY = [
  MIN,
  5 * MIN,
  10 * MIN,
  15 * MIN,
  30 * MIN,
  HOUR,
  90 * MIN,
  2 * HOUR,
  3 * HOUR,
  24 * HOUR,
  7 * 24 * HOUR,
];
const CRONS = ["0 9 * * *", "30 2 * * *", "0 1 * * *", "*/10 * * * *", "15 */2 * * *", "0 0 * * 1"];
const pad = (n: number) => String(n).padStart(2, "0");

function randomFrequencies(r: () => number): Frequency[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: Frequency[] = [every(pick(EVERY)), every(pick(EVERY)), { kind: "cron", expr: pick(CRONS) }];
  for (let i = 0; i < 6; i++) {
    // Hours around the usual change times, so some sets hit gaps and repeated hours.
    const hours = [...new Set([pick([0, 1, 2, 3]), pick([1, 2, 12, 18, 23])])];
    const minutes = [...new Set([pick([0, 15, 30]), pick([0, 45])])];
    out.push(at(...hours.flatMap((h) => minutes.map((m) => `${pad(h)}:${pad(m)}`))));
  }
  return out;
}

/** Agenda's chain of runs: each nextRunAt computed from the previous one as lastRunAt. */
function agendaRuns(
  repeatInterval: string | number,
  repeatTimezone: string,
  start: Date,
  count: number,
): Date[] {
  const out: Date[] = [];
  let lastRunAt = start;
  for (let n = 0; n < count; n++) {
    const attrs = { name: "t", repeatInterval, repeatTimezone, lastRunAt };
    lastRunAt = computeFromInterval(attrs as Parameters<typeof computeFromInterval>[0]) as Date;
    out.push(lastRunAt);
  }
  return out;
}

describe("Agenda computes the same runs as nextRuns", () => {
  it("for every cron and ms repeat, across DST changes in several zones", () => {
    const r = rng(42);
    let compared = 0;
    let managed = 0;
    for (const [tz, changes] of Object.entries(CHANGES)) {
      for (const change of changes) {
        for (const freq of randomFrequencies(r)) {
          const repeat = toAgendaRepeat(freq, tz);
          if (!repeat) continue;
          if (repeat.managedNextRun) {
            managed++;
            continue;
          }
          // Start close enough to the change that the chain crosses it.
          const lead = freq.kind === "every" && freq.ms < HOUR ? 2 * HOUR : 26 * HOUR;
          const start = new Date(Date.parse(change) - lead);
          const ours = nextRuns(freq, tz, start, 24).map((d) => d.toISOString());
          const theirs = agendaRuns(repeat.repeatInterval, tz, start, 24).map((d) => d.toISOString());
          expect(ours, `${JSON.stringify(freq)} in ${tz}`).toEqual(theirs);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
    expect(managed).toBeGreaterThan(3);
  });
});
