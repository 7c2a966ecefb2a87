import { describe, expect, it } from "vitest";
import type { Frequency } from "../../src/schedule/model.js";
import { nextRunAfter, nextRuns, nextRunsAt } from "../../src/schedule/next-runs.js";

const at = (...times: string[]): Frequency => ({ kind: "at", times });
const every = (ms: number, text: string): Frequency => ({ kind: "every", ms, text });
const cron = (expr: string): Frequency => ({ kind: "cron", expr });
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const from = (s: string) => new Date(s);

describe("nextRuns: automatic and off", () => {
  it("never run on a timer", () => {
    expect(nextRuns({ kind: "off" }, "UTC", from("2026-01-01T00:00:00Z"), 3)).toEqual([]);
    const automatic: Frequency = { kind: "automatic", windowMs: 2000, maxBatch: 500 };
    expect(nextRuns(automatic, "UTC", from("2026-01-01T00:00:00Z"), 3)).toEqual([]);
    expect(nextRunAfter(automatic, "UTC", from("2026-01-01T00:00:00Z"))).toBeNull();
  });
});

describe("nextRuns: at, America/New_York", () => {
  it("keeps 09:00 local across the spring-forward change (2026-03-08)", () => {
    expect(iso(nextRuns(at("09:00"), "America/New_York", from("2026-03-06T12:00:00Z"), 4))).toEqual([
      "2026-03-06T14:00:00.000Z",
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
  });
  it("keeps 09:00 local across the fall-back change (2026-11-01)", () => {
    expect(iso(nextRuns(at("09:00"), "America/New_York", from("2026-10-31T00:00:00Z"), 3))).toEqual([
      "2026-10-31T13:00:00.000Z",
      "2026-11-01T14:00:00.000Z",
      "2026-11-02T14:00:00.000Z",
    ]);
  });
  it("runs a time skipped by the gap at the first instant after the gap", () => {
    expect(iso(nextRuns(at("02:30"), "America/New_York", from("2026-03-07T12:00:00Z"), 3))).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:30:00.000Z",
      "2026-03-10T06:30:00.000Z",
    ]);
  });
  it("runs two times in the same gap once", () => {
    expect(iso(nextRuns(at("02:00", "02:45"), "America/New_York", from("2026-03-08T00:00:00Z"), 3))).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:00:00.000Z",
      "2026-03-09T06:45:00.000Z",
    ]);
  });
  it("runs an ambiguous fall-back time once, at its first occurrence", () => {
    expect(iso(nextRuns(at("01:30"), "America/New_York", from("2026-10-31T12:00:00Z"), 3))).toEqual([
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
      "2026-11-03T06:30:00.000Z",
    ]);
  });
  it("orders several daily times and starts strictly after `from`", () => {
    expect(iso(nextRuns(at("18:00", "06:00"), "America/New_York", from("2026-11-01T11:00:00Z"), 3))).toEqual([
      "2026-11-01T23:00:00.000Z",
      "2026-11-02T11:00:00.000Z",
      "2026-11-02T23:00:00.000Z",
    ]);
  });
});

describe("nextRuns: at, other zones", () => {
  it("Europe/London: gap on 2026-03-29 and ambiguous hour on 2026-10-25", () => {
    expect(iso(nextRuns(at("01:30"), "Europe/London", from("2026-03-28T12:00:00Z"), 2))).toEqual([
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
    expect(iso(nextRuns(at("01:30"), "Europe/London", from("2026-10-24T12:00:00Z"), 2))).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });
  it("Asia/Kolkata: a +05:30 offset", () => {
    expect(iso(nextRuns(at("09:00", "00:15"), "Asia/Kolkata", from("2026-06-01T00:00:00Z"), 3))).toEqual([
      "2026-06-01T03:30:00.000Z",
      "2026-06-01T18:45:00.000Z",
      "2026-06-02T03:30:00.000Z",
    ]);
  });
  it("UTC", () => {
    expect(iso(nextRuns(at("00:00", "12:00"), "UTC", from("2026-06-01T12:00:00Z"), 2))).toEqual([
      "2026-06-02T00:00:00.000Z",
      "2026-06-02T12:00:00.000Z",
    ]);
  });
});

describe("nextRuns: every and cron", () => {
  it("every 30m (cron */30) keeps running every 30 real minutes through the repeated hour", () => {
    expect(
      iso(nextRuns(every(1_800_000, "30m"), "America/New_York", from("2026-11-01T04:40:00Z"), 5)),
    ).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T07:00:00.000Z",
    ]);
  });
  it("every 1d runs at local midnight (23 h apart on the spring-forward day)", () => {
    expect(
      iso(nextRuns(every(86_400_000, "1d"), "America/New_York", from("2026-03-07T12:00:00Z"), 2)),
    ).toEqual(["2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"]);
  });
  it("every 1h30m counts elapsed time from the last run", () => {
    expect(iso(nextRuns(every(5_400_000, "1h30m"), "Asia/Kolkata", from("2026-03-08T06:10:00Z"), 3))).toEqual(
      ["2026-03-08T07:40:00.000Z", "2026-03-08T09:10:00.000Z", "2026-03-08T10:40:00.000Z"],
    );
  });
  it("cron is evaluated in the merchant's timezone", () => {
    expect(iso(nextRuns(cron("0 9 * * 1-5"), "America/New_York", from("2026-03-06T15:00:00Z"), 2))).toEqual([
      "2026-03-09T13:00:00.000Z",
      "2026-03-10T13:00:00.000Z",
    ]);
    expect(iso(nextRuns(cron("15 */2 * * *"), "Asia/Kolkata", from("2026-03-06T00:00:00Z"), 2))).toEqual([
      "2026-03-06T00:45:00.000Z",
      "2026-03-06T02:45:00.000Z",
    ]);
  });
});

describe("nextRunsAt", () => {
  it("gives the same instants as nextRunAfter, as fresh Date objects", () => {
    const now = from("2026-03-08T06:10:00Z");
    const next = nextRunsAt(now);
    const freq = at("02:30", "09:00");
    const first = next(freq, "America/New_York");
    expect(first).toEqual(nextRunAfter(freq, "America/New_York", now));
    expect(next(freq, "America/New_York")).not.toBe(first);
    expect(next(freq, "Asia/Kolkata")).toEqual(nextRunAfter(freq, "Asia/Kolkata", now));
    expect(next({ kind: "off" }, "UTC")).toBeNull();
  });
});
