import { describe, expect, it } from "vitest";
import { formatFrequency, parseFrequency } from "../../src/config/frequency.js";
import { formatDuration, parseDuration } from "../../src/platform/duration.js";
import { parseCron } from "../../src/schedule/cron.js";

describe("durations", () => {
  it.each([
    ["5m", 300_000, "5m"],
    ["1h30m", 5_400_000, "1h30m"],
    ["90m", 5_400_000, "1h30m"],
    ["2h", 7_200_000, "2h"],
    ["1d", 86_400_000, "1d"],
    ["0s", 0, "0s"],
    ["1500ms", 1_500, "1s500ms"],
  ])("%s → %d ms, canonical %s", (text, ms, canonical) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms, text: canonical });
    expect(formatDuration(ms)).toBe(canonical);
  });

  it.each(["", "5", "m", "1m1h", "5 m", "-5m", "1.5h", "5min"])("rejects %j", (text) => {
    expect(parseDuration(text).ok).toBe(false);
  });
});

describe("cron", () => {
  it("accepts 5 fields and normalises spaces", () => {
    expect(parseCron(" 15  */2 * * * ")).toEqual({ ok: true, expr: "15 */2 * * *" });
    expect(parseCron("0 6 * * MON-FRI", "America/Chicago").ok).toBe(true);
  });
  it.each([
    ["0 0 * * * *", /6 fields; seconds are not supported/],
    ["* * * *", /4 fields/],
    ["@hourly", /macros/],
    ["0 24 * * *", /not a valid cron expression/],
  ])("rejects %j", (expr, why) => {
    const r = parseCron(expr);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(why);
  });
});

describe("parseFrequency / formatFrequency", () => {
  it.each([
    ["automatic", "orderDelivery", "automatic"],
    [{ automatic: { window: "2s", maxBatch: 500 } }, "shipmentUpload", "automatic"],
    [{ automatic: { window: "5s" } }, "inventoryUpload", { automatic: { window: "5s", maxBatch: 500 } }],
    [{ automatic: { maxBatch: 50 } }, "inventoryUpload", { automatic: { window: "2s", maxBatch: 50 } }],
    ["off", "inventory", "off"],
    [{ every: "90m" }, "inventory", { every: "1h30m" }],
    [{ cron: "0  1 * * *" }, "orderDownload", { cron: "0 1 * * *" }],
    [{ at: ["18:00", "06:00"] }, "orderDownload", { at: ["06:00", "18:00"] }],
  ] as const)("%j on %s → %j", (value, service, canonical) => {
    const r = parseFrequency(value, service);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(formatFrequency(r.freq)).toEqual(canonical);
    // The canonical form parses to the same frequency.
    expect(parseFrequency(canonical, service)).toEqual(r);
  });

  it.each([
    [
      "automatic",
      "inventory",
      /"automatic" is only available for orderDelivery, shipmentUpload, inventoryUpload/,
    ],
    [{ every: "90s" }, "inventory", /every: "90s" is too short/],
    [{ every: "59s" }, "inventory", /every: "59s" is too short; the minimum is 1m/],
    [{ every: "7d1m" }, "inventory", /too long; the maximum is 7d/],
    [
      { at: Array.from({ length: 49 }, (_, i) => `00:${String(i).padStart(2, "0")}`) },
      "inventory",
      /at most 48/,
    ],
    [null, "inventory", /is empty/],
    [{}, "inventory", /empty map/],
    ["hourly", "orderDownload", /"hourly" is not a frequency; use off, \{ every/],
    [{ automatic: { window: "10m1s" } }, "orderDelivery", /maximum is 10m/],
  ] as const)("rejects %j on %s", (value, service, why) => {
    const r = parseFrequency(value, service);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.message).join("\n")).toMatch(why);
  });
});
