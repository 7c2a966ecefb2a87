import { describe, expect, it } from "vitest";
import { parseDuration, parseInterval } from "../../src/platform/duration.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { parsePrometheus } from "../helpers/prometheus.js";
import { waitFor } from "../helpers/wait-for.js";

/** The exposition once the event-loop monitor has a sample (prom-client writes "Nan" before). */
async function scrape(m: ReturnType<typeof createMetrics>) {
  let out = await m.render();
  await waitFor("an event-loop sample", async () => {
    out = await m.render();
    return !/ Nan$/m.test(out.text);
  });
  return out;
}

describe("one duration grammar", () => {
  it.each([
    ["1h30m", 5_400_000],
    ["1m30s", 90_000],
    ["60s", 60_000],
    ["90s", 90_000],
    ["1m500ms", 60_500],
  ])("flags take %s → %d ms", (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it("schedules take the same compound form, without fractions or bare numbers", () => {
    expect(parseDuration("1h30m")).toEqual({ ok: true, ms: 5_400_000, text: "1h30m" });
    expect(parseDuration("1.5m").ok).toBe(false);
    expect(parseDuration("60").ok).toBe(false);
    expect(parseDuration("1.5m")).toMatchObject({ ok: false, problems: ["fraction"], suggestion: "1m30s" });
  });

  it.each(["", "soon", "1m1h", "500ms", "0.5", "1.5m", "60", "90S", "1m0.5s"])("flags refuse %j", (text) => {
    expect(() => parseInterval(text)).toThrow(/bad interval|shorter than 1s/);
  });

  it.each([
    ["60", 'bad interval "60": a duration needs a unit, e.g. "60s"'],
    ["1.5m", 'bad interval "1.5m": amounts are whole numbers; write "1m30s"'],
    ["90S", 'bad interval "90S": units are lower case; write "90s"'],
    ["1H 30M", 'bad interval "1H 30M": a duration has no spaces and units are lower case; write "1h30m"'],
    ["0.5", 'bad interval "0.5": a duration needs a unit and amounts are whole numbers, e.g. "500ms"'],
    ["1m1h", 'bad interval "1m1h": use d, h, m, s, ms (largest first, each once, whole numbers, lower case)'],
    ["500ms", "interval 500ms is shorter than 1s"],
  ])("a refused flag %j teaches the fix", (text, message) => {
    expect(() => parseInterval(text)).toThrow(message);
  });

  it("takes a range where a flag has its own (worker --process-every: 100ms to 1m)", () => {
    expect(parseInterval("500ms", { minMs: 100, maxMs: 60_000 })).toBe(500);
    expect(() => parseInterval("50ms", { minMs: 100 })).toThrow("interval 50ms is shorter than 100ms");
    expect(() => parseInterval("2m", { maxMs: 60_000 })).toThrow("interval 2m is longer than 1m");
    expect(() => parseInterval("500ms")).toThrow("shorter than 1s");
  });

  it("gives the rules a text breaks and its fix as data", () => {
    expect(parseDuration("1.5M")).toMatchObject({
      ok: false,
      problems: ["upper-case", "fraction"],
      suggestion: "1m30s",
    });
    expect(parseDuration("1.1s")).toMatchObject({ suggestion: "1s100ms" });
    expect(parseDuration("soon")).toMatchObject({ ok: false, problems: ["not-a-duration"] });
    expect(parseDuration("soon")).not.toHaveProperty("suggestion");
  });
});

// The timeout only ends a hang; the waits inside are for conditions.
describe("metrics on prom-client", { timeout: 300_000 }, () => {
  it("expose the schedsync families, the process and event-loop metrics, and store gauges on scrape", async () => {
    const m = createMetrics();
    m.readFrom({ jobs: async () => [{ labels: { state: "scheduled" }, value: 4 }] });
    m.hooks.countTransmission("orderDelivery", "delivered", 2);
    m.hooks.countTransmission("orderDelivery", "delivered", 1);
    const { text, contentType } = await scrape(m);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(text);
    expect(families.get("schedsync_jobs")?.samples[0]?.value).toBe(4);
    expect(families.get("schedsync_transmissions_total")?.samples[0]?.value).toBe(3);
    expect(m.transmissionsTotal.get({ service: "orderDelivery", outcome: "delivered" })).toBe(3);
    expect(families.get("process_cpu_user_seconds_total")?.type).toBe("counter");
    expect(families.get("nodejs_eventloop_lag_seconds")?.type).toBe("gauge");
  });

  it("keep the last gauge values when the store read fails", async () => {
    const m = createMetrics();
    let fail = false;
    m.readFrom({
      jobs: async () => {
        if (fail) throw new Error("store down");
        return [{ labels: { state: "scheduled" }, value: 7 }];
      },
    });
    await m.render();
    fail = true;
    const families = parsePrometheus((await scrape(m)).text);
    expect(families.get("schedsync_jobs")?.samples[0]?.value).toBe(7);
  });
});
