// Load spreading (issue 16) and field case 01 (issue 12 §2: Australia/Lord_Howe, a 30-minute DST
// shift): the right values of /work/shared/field-cases/case-01 as tests.
import { describe, expect, it } from "vitest";
import { computeFromInterval } from "../../node_modules/agenda/dist/utils/nextRunAt.js";
import { explainText } from "../../src/cli/views/explain.js";
import { formatFrequency, parseFrequency } from "../../src/config/frequency.js";
import { loadSchedules } from "../../src/config/load.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { everyAsCron, toAgendaRepeat } from "../../src/schedule/agenda-repeat.js";
import { parseCron } from "../../src/schedule/cron.js";
import type { Frequency, MerchantModel } from "../../src/schedule/model.js";
import { nextRunAfter, nextRuns } from "../../src/schedule/next-runs.js";
import { everyPhase, hashCron, resolvePhase } from "../../src/schedule/phase.js";
import { simulate } from "../../src/schedule/simulate.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const LORD_HOWE = "Australia/Lord_Howe";
const iso = (ds: Date[]) => ds.map((d) => d.toISOString());
const every = (text: string, ms: number, offset?: number | "H"): Frequency =>
  offset === undefined ? { kind: "every", ms, text } : { kind: "every", ms, text, offset };
const pos = { file: "schedules/x.yaml", line: 1, column: 1 };

function islandgoods(shipping: Frequency): MerchantModel {
  return {
    id: "islandgoods",
    timezone: LORD_HOWE,
    suspended: false,
    cleanupRunsPerDay: 2,
    services: {
      orderDelivery: { kind: "automatic", windowMs: 2000, maxBatch: 500 },
      shippingConfirmations: shipping,
      inventory: { kind: "at", times: ["01:00"] },
    },
    carts: [],
    source: pos,
  };
}

describe("field case 01: Australia/Lord_Howe (fall-back 02:00 +11 → 01:30 +10:30 at 2026-04-04T15:00Z)", () => {
  const from = new Date("2026-04-04T13:30:00Z");

  it("every 1h pinned to the clock runs on the local clock: 01:00 +11, then 02:00..05:00 +10:30", () => {
    expect(iso(nextRuns(every("1h", HOUR, 0), LORD_HOWE, from, 5))).toEqual([
      "2026-04-04T14:00:00.000Z",
      "2026-04-04T15:30:00.000Z",
      "2026-04-04T16:30:00.000Z",
      "2026-04-04T17:30:00.000Z",
      "2026-04-04T18:30:00.000Z",
    ]);
  });

  it("at 01:00 runs at 01:00 +11 on the 5th, then at 01:00 +10:30", () => {
    expect(iso(nextRuns({ kind: "at", times: ["01:00"] }, LORD_HOWE, from, 5))).toEqual([
      "2026-04-04T14:00:00.000Z",
      "2026-04-05T14:30:00.000Z",
      "2026-04-06T14:30:00.000Z",
      "2026-04-07T14:30:00.000Z",
      "2026-04-08T14:30:00.000Z",
    ]);
  });

  it("is never handed to Agenda as a cron; the worker's next run after the 01:00 run is later", () => {
    const ran = new Date("2026-04-04T14:00:00.150Z");
    for (const f of [
      every("1h", HOUR),
      every("1h", HOUR, 0),
      { kind: "at", times: ["01:00"] } as Frequency,
    ]) {
      const repeat = toAgendaRepeat(f, LORD_HOWE, "islandgoods/shippingConfirmations");
      expect(repeat?.managedNextRun).toBe(true);
      const next = nextRunAfter(f, LORD_HOWE, ran, "islandgoods/shippingConfirmations");
      expect(next && next.getTime() > ran.getTime()).toBe(true);
    }
  });

  it("Agenda's own cron evaluation is what fails there (why it gets no cron)", () => {
    const attrs = {
      name: "t",
      repeatInterval: "0 1 * * *",
      repeatTimezone: LORD_HOWE,
      lastRunAt: new Date("2026-04-04T14:00:00.150Z"),
    };
    expect(() => computeFromInterval(attrs as Parameters<typeof computeFromInterval>[0])).toThrow();
  });

  it("explain and simulate over that week finish", () => {
    const model = { merchants: [islandgoods(every("1h", HOUR, "H"))], documents: 1 };
    expect(explainText({ merchant: model.merchants[0] as MerchantModel }, from)).toContain(
      "shippingConfirmations",
    );
    const sim = simulate(model, { days: 7, from: new Date("2026-04-01T00:00:00Z") });
    const sum = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0);
    // Hourly on the local clock: 24 a day, 25 on the fall-back day counting the repeated half hour once more or not.
    expect(sum(sim.counts.get("shippingConfirmations"))).toBeGreaterThanOrEqual(7 * 24 - 1);
    expect(sum(sim.counts.get("inventory"))).toBe(7);
  });

  it("a spread every 1h keeps one local hour between runs, never in the past", () => {
    const key = "islandgoods/shippingConfirmations";
    const runs = nextRuns(every("1h", HOUR, "H"), LORD_HOWE, from, 8, key);
    const phase = everyPhase(key, HOUR);
    for (const [i, r] of runs.entries()) {
      expect(r.getTime()).toBeGreaterThan(i ? (runs[i - 1] as Date).getTime() : from.getTime());
      const local = new Intl.DateTimeFormat("en-GB", {
        timeZone: LORD_HOWE,
        minute: "2-digit",
        second: "2-digit",
      }).format(r);
      expect(local).toBe(
        `${String(Math.floor(phase / MIN) % 60).padStart(2, "0")}:${String((phase / 1000) % 60).padStart(2, "0")}`,
      );
    }
  });
});

describe("load spreading", () => {
  it("draws a stable phase per key, to the second, inside the interval", () => {
    const a = everyPhase("acme/shop1/orderDownload", 10 * MIN);
    expect(everyPhase("acme/shop1/orderDownload", 10 * MIN)).toBe(a);
    expect(a % 1000).toBe(0);
    expect(a).toBeLessThan(10 * MIN);
    const phases = new Set(
      Array.from({ length: 200 }, (_, i) => everyPhase(`m${i}/c/orderDownload`, 10 * MIN)),
    );
    expect(phases.size).toBeGreaterThan(150);
  });

  it("turns phased every into a cron Agenda runs (seconds field when needed)", () => {
    expect(everyAsCron(10 * MIN, 2 * MIN + 37_000)).toBe("37 2/10 * * * *");
    expect(everyAsCron(5 * MIN, 0)).toBe("*/5 * * * *");
    expect(everyAsCron(HOUR, 47 * MIN)).toBe("47 * * * *");
    expect(everyAsCron(2 * HOUR, HOUR + 5 * MIN + 9_000)).toBe("9 5 1/2 * * *");
    expect(everyAsCron(24 * HOUR, 13 * HOUR + 5 * MIN)).toBe("5 13 * * *");
    expect(everyAsCron(90 * MIN, 0)).toBeUndefined();
  });

  it("offset: H spreads, 0m (the default) pins to the clock; offset is checked and printed back", () => {
    const pinned = parseFrequency({ every: "10m", offset: "0m" }, "orderDownload");
    expect(pinned).toEqual({ ok: true, freq: { kind: "every", ms: 10 * MIN, text: "10m", offset: 0 } });
    expect(parseFrequency({ every: "10m" }, "orderDownload")).toEqual(pinned);
    const spread = parseFrequency({ every: "10m", offset: "H" }, "orderDownload");
    expect(spread).toEqual({ ok: true, freq: { kind: "every", ms: 10 * MIN, text: "10m", offset: "H" } });
    if (spread.ok) expect(formatFrequency(spread.freq)).toEqual({ every: "10m", offset: "H" });
    const some = parseFrequency({ every: "10m", offset: "2m30s" }, "orderDownload");
    if (some.ok) expect(formatFrequency(some.freq)).toEqual({ every: "10m", offset: "2m30s" });
    const late = parseFrequency({ every: "10m", offset: "10m" }, "orderDownload");
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.issues[0]?.message).toMatch(/less than the interval/);
    const alone = parseFrequency({ cron: "0 * * * *", offset: "1m" }, "orderDownload");
    expect(alone.ok).toBe(false);
    if (!alone.ok) expect(alone.issues[0]?.message).toMatch(/offset only goes with every/);
  });

  it("H in cron fields hashes per key; malformed H is an error", () => {
    const a = hashCron("H 6 * * *", "acme/inventory");
    expect(a).toEqual(hashCron("H 6 * * *", "acme/inventory"));
    expect(a.ok && /^\d+ \d+ 6 \* \* \*$/.test(a.expr)).toBe(true);
    const step = hashCron("H/15 * * * *", "acme/inventory");
    expect(step.ok && /^\d+ \d+-59\/15 \* \* \* \*$/.test(step.expr)).toBe(true);
    expect(parseCron("H 6 * * *").ok).toBe(true);
    expect(parseCron("0 6 * * THU").ok).toBe(true);
    expect(parseCron("H(5-70) 6 * * *").ok).toBe(false);
    expect(resolvePhase({ kind: "cron", expr: "0 6 * * *" }, "k")).toEqual({
      kind: "cron",
      expr: "0 6 * * *",
    });
  });

  it("the key flows from desired jobs into the stored schedule and repeat; re-applies do not move it", () => {
    const m = islandgoods(every("10m", 10 * MIN, "H"));
    const model = { merchants: [{ ...m, timezone: "Europe/Berlin" }], documents: 1 };
    const job = desiredJobs(model).find((j) => j.key === "islandgoods/shippingConfirmations");
    const phase = everyPhase("islandgoods/shippingConfirmations", 10 * MIN);
    expect(job?.schedule).toMatchObject({ kind: "every", offset: phase });
    expect(job?.frequency).toEqual({ every: "10m", offset: "H" });
    expect(job?.repeatInterval).toBe(everyAsCron(10 * MIN, phase));
    expect(desiredJobs(model)).toEqual(desiredJobs(model));
  });

  it("explain shows every runs from the job's phase: the same answer whenever it is asked", () => {
    const m = { ...islandgoods(every("7d", 7 * 24 * HOUR, "H")), timezone: "Europe/Berlin" };
    const a = explainText({ merchant: m }, new Date("2026-06-01T10:00:00Z"));
    const b = explainText({ merchant: m }, new Date("2026-06-01T10:07:00Z"));
    expect(a).toBe(b);
  });
});

describe("Defaults spread: true (one switch for a whole repository)", () => {
  const merchant = (services: string) => `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: m1 }
spec:
  services:
${services}
---
apiVersion: schedsync/v1
kind: Cart
metadata: { id: c1, merchant: m1 }
spec:
  services:
    orderDownload: { every: 10m }
`;
  const defaults = (spread: string) => `apiVersion: schedsync/v1
kind: Defaults
spec:
${spread}  services:
    inventory: { every: 1h }
`;
  const load = async (spread: string, services: string) => {
    const files = new Map<string, string>([
      ["schedules/defaults.yaml", defaults(spread)],
      ["schedules/m1.yaml", merchant(services)],
    ]);
    const r = await loadSchedules({ rootDir: "/not/read", files });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.model.merchants[0] as MerchantModel;
  };

  it("gives every `every` without offset the job's own phase: own, inherited and built-in", async () => {
    const m = await load(
      "  spread: true\n",
      "    shippingConfirmations: { every: 30m }\n    orderDelivery: { every: 5m, offset: 0m }",
    );
    expect(m.services.shippingConfirmations).toMatchObject({ kind: "every", offset: "H" });
    expect(m.services.inventory).toMatchObject({ kind: "every", offset: "H" });
    expect(m.services.orderDelivery).toMatchObject({ kind: "every", offset: 0 });
    expect(m.carts[0]?.services.orderDownload).toMatchObject({ kind: "every", offset: "H" });
    expect(m.carts[0]?.services.inventoryUpload).toMatchObject({ kind: "automatic" });
    expect(formatFrequency(m.services.shippingConfirmations)).toEqual({ every: "30m", offset: "H" });
  });

  it("without it (or false) jobs stay on the clock, as field case 01 expects", async () => {
    for (const spread of ["", "  spread: false\n"]) {
      const m = await load(spread, "    shippingConfirmations: { every: 30m }");
      expect(m.services.shippingConfirmations).toMatchObject({ kind: "every", offset: 0 });
      expect(m.services.inventory).toMatchObject({ kind: "every", offset: 0 });
    }
  });

  it("spread must be a boolean", async () => {
    const files = new Map([["schedules/d.yaml", defaults('  spread: "yes"\n')]]);
    const r = await loadSchedules({ rootDir: "/not/read", files });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ file: "schedules/d.yaml", line: 4 });
  });
});
