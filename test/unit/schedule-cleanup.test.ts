import { describe, expect, it } from "vitest";
import { toAgendaRepeat } from "../../src/schedule/agenda-repeat.js";
import { cleanupTimes } from "../../src/schedule/cleanup.js";
import { parseClock } from "../../src/schedule/wall-clock.js";

describe("cleanupTimes", () => {
  it("is stable for the same merchant and count, and differs between merchants", () => {
    expect(cleanupTimes("acme", 2)).toEqual(cleanupTimes("acme", 2));
    expect(cleanupTimes("acme", 2)).toHaveLength(2);
    const distinct = new Set(
      ["acme", "globex", "initech", "umbrella", "hooli"].map((id) => cleanupTimes(id, 2).join()),
    );
    expect(distinct.size).toBeGreaterThan(3);
    expect(cleanupTimes("acme", 2, "salt")).not.toEqual(cleanupTimes("acme", 2));
  });

  it("returns [] for runsPerDay 0 and rejects out-of-range counts", () => {
    expect(cleanupTimes("acme", 0)).toEqual([]);
    expect(() => cleanupTimes("acme", 25)).toThrow(/0\.\.24/);
    expect(() => cleanupTimes("acme", 1.5)).toThrow();
  });

  it("puts one run in each slice of the day, sorted", () => {
    for (const n of [1, 2, 3, 5, 7, 24]) {
      const minutes = cleanupTimes("merchant-42", n).map(parseClock);
      expect(minutes).toHaveLength(n);
      minutes.forEach((m, i) => {
        expect(Math.floor(m / 60)).toBeGreaterThanOrEqual(Math.floor((i * 24) / n));
        expect(Math.floor(m / 60)).toBeLessThan(Math.floor(((i + 1) * 24) / n));
      });
    }
  });

  it("always yields a single Agenda cron outside DST gaps", () => {
    for (let i = 0; i < 200; i++) {
      const repeat = toAgendaRepeat({ kind: "at", times: cleanupTimes(`m${i}`, 1 + (i % 6)) }, "UTC");
      expect(repeat?.managedNextRun).toBe(false);
    }
  });

  it("spreads 10,000 merchants over the day: no 15-minute slot above 3x the mean", () => {
    for (const n of [1, 2, 5]) {
      const slots = new Array<number>(96).fill(0);
      for (let i = 0; i < 10_000; i++) {
        for (const t of cleanupTimes(`merchant-${i}`, n)) slots[Math.floor(parseClock(t) / 15)]! += 1;
      }
      const mean = (10_000 * n) / 96;
      expect(Math.max(...slots)).toBeLessThan(3 * mean);
      expect(Math.min(...slots)).toBeGreaterThan(mean / 3);
    }
  });
});
