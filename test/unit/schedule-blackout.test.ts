// Blackout window arithmetic (src/schedule/blackout.ts), with the DST rules of docs/schedules.md.
import { describe, expect, it } from "vitest";
import { staleAt } from "../../src/jobs/freshness.js";
import { nextRunDrift } from "../../src/jobs/timing.js";
import { firstRunAt } from "../../src/jobs/writes.js";
import {
  blackoutAt,
  blackoutIntervals,
  datedInstant,
  nextAllowed,
  nextBlackout,
} from "../../src/schedule/blackout.js";
import type { BlackoutTimes, BlackoutWindow } from "../../src/schedule/model.js";

const win = (t: BlackoutTimes): BlackoutWindow => ({ ...t, reason: null, services: null, owner: "merchant" });
const cron = (expr: string, ms: number, duration = "") =>
  win({ kind: "cron", cron: expr, duration, durationMs: ms });
const daily = (from: string, to: string) => win({ kind: "daily", from, to });
const dated = (start: string, end: string) => win({ kind: "dated", start, end });
const at = (iso: string) => new Date(iso);
const iso = (d: Date | null | undefined) => d?.toISOString();
const H = 3_600_000;

describe("blackoutAt / nextAllowed", () => {
  it("a weekly cron window: inside, at its end (outside), before", () => {
    const w = [cron("0 2 * * 0", 2 * H, "2h")]; // Sundays 02:00-04:00 Berlin
    const tz = "Europe/Berlin";
    // 2026-11-29 is a Sunday; Berlin is UTC+1 in November.
    const inside = blackoutAt(w, tz, at("2026-11-29T01:30:00Z"));
    expect(iso(inside?.start)).toBe("2026-11-29T01:00:00.000Z");
    expect(iso(inside?.end)).toBe("2026-11-29T03:00:00.000Z");
    expect(blackoutAt(w, tz, at("2026-11-29T03:00:00Z"))).toBeNull();
    expect(blackoutAt(w, tz, at("2026-11-29T00:59:59Z"))).toBeNull();
    expect(iso(nextAllowed(w, tz, at("2026-11-29T02:59:00Z")))).toBe("2026-11-29T03:00:00.000Z");
    expect(iso(nextAllowed(w, tz, at("2026-11-28T12:00:00Z")))).toBe("2026-11-28T12:00:00.000Z");
  });

  it("a daily window across midnight covers both days' ends", () => {
    const w = [daily("23:00", "01:00")];
    expect(iso(blackoutAt(w, "UTC", at("2026-03-10T23:30:00Z"))?.end)).toBe("2026-03-11T01:00:00.000Z");
    expect(iso(blackoutAt(w, "UTC", at("2026-03-11T00:30:00Z"))?.end)).toBe("2026-03-11T01:00:00.000Z");
    expect(blackoutAt(w, "UTC", at("2026-03-11T01:00:00Z"))).toBeNull();
    expect(blackoutAt(w, "UTC", at("2026-03-11T22:59:59Z"))).toBeNull();
  });

  it("a dated window is local time without an offset, as written with one", () => {
    const local = [dated("2026-11-27T00:00", "2026-12-01T00:00")];
    const tz = "America/New_York"; // UTC-5 in November
    expect(iso(blackoutAt(local, tz, at("2026-11-27T05:00:00Z"))?.end)).toBe("2026-12-01T05:00:00.000Z");
    expect(blackoutAt(local, tz, at("2026-11-27T04:59:59Z"))).toBeNull();
    const utc = [dated("2026-11-27T00:00Z", "2026-11-27T06:00+01:00")];
    expect(iso(blackoutAt(utc, tz, at("2026-11-27T01:00:00Z"))?.end)).toBe("2026-11-27T05:00:00.000Z");
    expect(Number.isNaN(datedInstant("2026-02-30T00:00", tz, "first"))).toBe(true);
    expect(datedInstant("2026-11-27", "UTC", "first")).toBe(Date.parse("2026-11-27T00:00:00Z"));
  });

  it("windows that overlap or touch are one blackout; a run goes once at the last end", () => {
    const w = [daily("01:00", "02:00"), daily("02:00", "03:00"), cron("30 2 * * *", 2 * H, "2h")];
    const b = blackoutAt(w, "UTC", at("2026-05-05T01:10:00Z"));
    expect(iso(b?.end)).toBe("2026-05-05T04:30:00.000Z");
    expect(b?.window).toBe(w[0]);
    const periods = blackoutIntervals(
      w,
      "UTC",
      Date.parse("2026-05-05T00:00Z"),
      Date.parse("2026-05-06T00:00Z"),
    );
    expect(periods.map((p) => [new Date(p.start).toISOString(), new Date(p.end).toISOString()])).toEqual([
      ["2026-05-05T01:00:00.000Z", "2026-05-05T04:30:00.000Z"],
    ]);
  });

  it("nextBlackout gives the next start and the joined end", () => {
    const w = [cron("0 2 * * 0", 2 * H, "2h"), daily("12:00", "12:30")];
    const n = nextBlackout(w, "UTC", at("2026-11-28T13:00:00Z")); // Saturday afternoon
    expect(iso(n?.start)).toBe("2026-11-29T02:00:00.000Z");
    expect(iso(n?.end)).toBe("2026-11-29T04:00:00.000Z");
    expect(nextBlackout([dated("2026-01-01", "2026-01-02")], "UTC", at("2026-06-01T00:00Z"))).toBeNull();
  });

  it("no windows: never held", () => {
    expect(blackoutAt(undefined, "UTC", at("2026-01-01T00:00Z"))).toBeNull();
    expect(iso(nextAllowed([], "UTC", at("2026-01-01T00:00Z")))).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("blackout windows across DST changes", () => {
  it("spring forward, Europe/Berlin: daily 01:30-02:30 ends at 03:00 CEST (02:30 does not exist)", () => {
    // 2026-03-29: 02:00 CET → 03:00 CEST (01:00Z).
    const w = [daily("01:30", "02:30")];
    const b = blackoutAt(w, "Europe/Berlin", at("2026-03-29T00:45:00Z")); // 01:45 CET
    expect(iso(b?.start)).toBe("2026-03-29T00:30:00.000Z");
    expect(iso(b?.end)).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    expect(blackoutAt(w, "Europe/Berlin", at("2026-03-29T01:00:00Z"))).toBeNull();
    // The next day it is a full hour again.
    expect(iso(blackoutAt(w, "Europe/Berlin", at("2026-03-29T23:45:00Z"))?.end)).toBe(
      "2026-03-30T00:30:00.000Z",
    );
  });

  it("spring forward, America/New_York: a window inside the gap does not happen that day", () => {
    // 2026-03-08: 02:00 EST → 03:00 EDT (07:00Z). 02:10-02:40 never shows on the clock.
    const w = [daily("02:10", "02:40")];
    const day = blackoutIntervals(
      w,
      "America/New_York",
      Date.parse("2026-03-08T05:00Z"),
      Date.parse("2026-03-09T04:00Z"),
    );
    expect(day).toEqual([]);
    expect(blackoutAt(w, "America/New_York", at("2026-03-08T07:00:00Z"))).toBeNull();
  });

  it("fall back, Europe/Berlin: daily 01:30-02:30 lasts until the second 02:30 (never shortened)", () => {
    // 2026-10-25: 03:00 CEST → 02:00 CET (01:00Z); 02:00-03:00 happens twice.
    const w = [daily("01:30", "02:30")];
    const b = blackoutAt(w, "Europe/Berlin", at("2026-10-24T23:45:00Z")); // 01:45 CEST
    expect(iso(b?.start)).toBe("2026-10-24T23:30:00.000Z"); // 01:30 CEST
    expect(iso(b?.end)).toBe("2026-10-25T01:30:00.000Z"); // the second 02:30 (CET)
  });

  it("fall back, America/New_York: a cron window at 01:30 starts at the first 01:30 and lasts its duration", () => {
    // 2026-11-01: 02:00 EDT → 01:00 EST (06:00Z); 01:00-02:00 happens twice.
    const w = [cron("30 1 * * *", H, "1h")];
    const b = blackoutAt(w, "America/New_York", at("2026-11-01T05:45:00Z")); // 01:45 EDT
    expect(iso(b?.start)).toBe("2026-11-01T05:30:00.000Z"); // the first 01:30 (EDT)
    expect(iso(b?.end)).toBe("2026-11-01T06:30:00.000Z"); // one elapsed hour: 01:30 EST
    expect(blackoutAt(w, "America/New_York", at("2026-11-01T06:30:00Z"))).toBeNull();
  });

  it("a 30-minute shift, Australia/Lord_Howe: daily 01:45-02:15 on the spring-forward night", () => {
    // 2026-10-04: 02:00 (+10:30) → 02:30 (+11:00) = 2026-10-03T15:30Z.
    const w = [daily("01:45", "02:15")];
    const b = blackoutAt(w, "Australia/Lord_Howe", at("2026-10-03T15:20:00Z")); // 01:50 +10:30
    expect(iso(b?.start)).toBe("2026-10-03T15:15:00.000Z");
    expect(iso(b?.end)).toBe("2026-10-03T15:30:00.000Z"); // 02:15 skipped: the end of the gap
    // Fall back 2026-04-05: 02:00 (+11) → 01:30 (+10:30) = 2026-04-04T15:00Z; 01:30-02:00 twice.
    const fall = blackoutAt(w, "Australia/Lord_Howe", at("2026-04-04T14:50:00Z")); // 01:50 +11
    expect(iso(fall?.start)).toBe("2026-04-04T14:45:00.000Z");
    expect(iso(fall?.end)).toBe("2026-04-04T15:45:00.000Z"); // 02:15 +10:30, after the repeat
  });
});

describe("blackout windows in the jobs' timing rules", () => {
  const window = daily("01:00", "02:00");
  const spec = {
    key: "acme/shippingConfirmations",
    name: "schedsync:shippingConfirmations",
    merchantId: "acme",
    cartId: null,
    service: "shippingConfirmations" as const,
    frequency: { every: "30m" },
    schedule: { kind: "every" as const, ms: 1_800_000, text: "30m", offset: 0 },
    timezone: "UTC",
    repeatInterval: "*/30 * * * *",
    repeatTimezone: "UTC",
    managedNextRun: false,
    disabled: false,
    connection: null,
    blackout: [window],
  };

  it("a first run due inside a window is its end; a nextRunAt at the end is no drift", () => {
    const now = at("2026-03-02T00:45:00Z");
    expect(iso(firstRunAt(now)(spec))).toBe("2026-03-02T02:00:00.000Z");
    expect(nextRunDrift({ ...spec }, at("2026-03-02T02:00:00Z"), at("2026-03-02T01:10:00Z"))).toBeUndefined();
    // Without the window, a nextRunAt at 02:00 seen at 00:10 is later than the schedule allows.
    const { blackout: _, ...plain } = spec;
    expect(nextRunDrift(plain, at("2026-03-02T02:00:00Z"), at("2026-03-02T00:10:00Z"))).toBeDefined();
  });

  it("staleness counts a run a window moved at the window's end, once", () => {
    const health = {
      lastSuccessAt: at("2026-03-02T00:30:00Z"),
      lastFailureAt: null,
      lastFailureReason: null,
      consecutiveFailures: 0,
      since: null,
    };
    // Without the window: 01:00, 01:30, 02:00. With it: 02:00 (for 01:00 and 01:30), 02:30, 03:00.
    expect(iso(staleAt(spec.schedule, "UTC", health, 3))).toBe("2026-03-02T02:00:00.000Z");
    expect(iso(staleAt(spec.schedule, "UTC", health, 3, undefined, [window]))).toBe(
      "2026-03-02T03:00:00.000Z",
    );
  });
});
