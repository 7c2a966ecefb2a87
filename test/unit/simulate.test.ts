import { describe, expect, it } from "vitest";
import { svgChart, textChart } from "../../src/cli/views/simulate.js";
import type { CartModel, Frequency, MerchantModel, ScheduleModel } from "../../src/schedule/model.js";
import { SLOT_MS, simulate } from "../../src/schedule/simulate.js";

const off: Frequency = { kind: "off" };
const pos = { file: "schedules/x.yaml", line: 1, column: 1 };

function merchant(
  id: string,
  over: Partial<MerchantModel["services"]>,
  carts: CartModel[] = [],
): MerchantModel {
  return {
    id,
    timezone: "Europe/Berlin",
    suspended: false,
    cleanupRunsPerDay: 2,
    services: { orderDelivery: off, shippingConfirmations: off, inventory: off, ...over },
    carts,
    source: pos,
  };
}

function cart(id: string, merchantId: string, over: Partial<CartModel["services"]>): CartModel {
  return {
    id,
    merchantId,
    suspended: false,
    services: { orderDownload: off, shipmentUpload: off, inventoryUpload: off, ...over },
    source: pos,
  };
}

// Monday 2026-01-05 00:00 UTC; Berlin is UTC+1 in January.
const FROM = new Date("2026-01-05T00:00:00Z");

function model(): ScheduleModel {
  const merchants: MerchantModel[] = [];
  for (let i = 0; i < 30; i++) {
    merchants.push(
      merchant(`M${i}`, { inventory: { kind: "at", times: ["09:00"] } }, [
        cart(`C${i}`, `M${i}`, {
          orderDownload: { kind: "every", ms: 3_600_000, text: "1h" },
          shipmentUpload: { kind: "automatic", windowMs: 2_000, maxBatch: 500 },
        }),
      ]),
    );
  }
  merchants.push({
    ...merchant("SUSP", { inventory: { kind: "every", ms: 60_000, text: "1m" } }),
    suspended: true,
  });
  return { merchants, documents: 1 };
}

describe("simulate", () => {
  it("counts runs per service per 15-minute slot and finds the 09:00 spike", () => {
    const sim = simulate(model(), { days: 2, from: FROM });
    expect(sim.totals).toHaveLength(2 * 96);
    expect(sim.services).toEqual(["orderDownload", "inventory"]);
    // 30 carts hourly for 2 days (`from` counts as the last run, so 47 each); 30 merchants daily.
    const sum = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0);
    expect(sum(sim.counts.get("orderDownload"))).toBe(30 * 47);
    expect(sum(sim.counts.get("inventory"))).toBe(60);
    // 09:00 Berlin = 08:00 UTC: 30 inventory runs plus the 30 hourly order downloads at :00.
    expect(sim.peak.at.toISOString()).toBe("2026-01-05T08:00:00.000Z");
    expect(sim.peak.total).toBe(60);
    expect(sim.peak.byService).toEqual({ orderDownload: 30, inventory: 30 });
    expect(sim.automatic).toBe(30);
    expect(sim.slotMs).toBe(SLOT_MS);
  });

  it("renders a text chart with one line per day and the peak", () => {
    const text = textChart(simulate(model(), { days: 2, from: FROM }));
    const lines = text.split("\n");
    expect(lines.filter((l) => /^\d{4}-\d{2}-\d{2} {2}/.test(l))).toHaveLength(2);
    expect(lines.find((l) => l.startsWith("2026-01-05"))?.length).toBe(12 + 96);
    expect(text).toContain("peak: 60 runs in the 15 minutes from 2026-01-05 08:00 UTC");
    expect(text).toContain("automatic");
  });

  it("renders an SVG with a bar per service and slot and the peak marked", () => {
    const svg = svgChart(simulate(model(), { days: 1, from: FROM }));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain('<g id="peak">');
    expect(svg).toContain("orderDownload");
    // 23 hourly download bars (01:00..23:00 UTC) + 1 inventory bar stacked at 08:00.
    expect(svg.match(/<rect x="\d+" y="[\d.]+" width="2"/g)).toHaveLength(24);
  });

  it("handles schedules with nothing to run", () => {
    const sim = simulate({ merchants: [merchant("X", {})], documents: 1 }, { days: 1, from: FROM });
    expect(sim.peak.total).toBe(0);
    expect(textChart(sim)).toContain("runs by service: none");
    expect(svgChart(sim)).toContain("</svg>");
  });
});

describe("simulate: API calls per connection budget", () => {
  const shop = { type: "http", baseUrl: "https://acme.example.com/admin", tokenEnv: "ACME_TOKEN" };
  // Two carts on one account (same URL and token) share a budget of 1 per 1m, burst 10: 70 an hour.
  const budgeted = (rateLimit: object): ScheduleModel => ({
    documents: 1,
    merchants: [
      merchant("acme", {}, [
        {
          ...cart("us", "acme", { orderDownload: { kind: "every", ms: 120_000, text: "2m" } }),
          connection: { ...shop, rateLimit },
        },
        {
          ...cart("eu", "acme", {
            orderDownload: { kind: "cron", expr: "*/5 9 * * *" },
            shipmentUpload: { kind: "automatic", windowMs: 2_000, maxBatch: 500 },
          }),
          connection: { ...shop, rateLimit },
        },
        cart("other", "acme", { orderDownload: { kind: "every", ms: 60_000, text: "1m" } }),
      ]),
    ],
  });

  it("counts one call per periodic run per hour, per budget, and finds the busiest hour", () => {
    const sim = simulate(budgeted({ requests: 1, per: "1m", burst: 10 }), { days: 1, from: FROM });
    expect(sim.budgets).toHaveLength(1);
    const [b] = sim.budgets;
    expect(b?.key).toBe("http https://acme.example.com/admin ACME_TOKEN");
    expect(b?.owners).toEqual([
      { merchantId: "acme", cartId: "us" },
      { merchantId: "acme", cartId: "eu" },
    ]);
    expect(b?.allowedPerHour).toBe(70);
    // 30 an hour from "us"; 09:00-09:55 Berlin (08:00 UTC) adds 12 from "eu".
    expect(b?.peak).toEqual({ at: new Date("2026-01-05T08:00:00Z"), calls: 42 });
    expect(b?.automatic).toBe(1);
    expect(textChart(sim).split("\n").slice(-2)).toEqual([
      "API calls per connection budget, busiest hour (at least 1 per run of a periodic service: a pull page or a push batch):",
      "  acme/us, acme/eu: 42 calls from 2026-01-05 08:00 UTC of 70 allowed an hour (1 per 1m, burst 10): 60%; plus 1 automatic service on demand",
    ]);
  });

  it("says OVER BUDGET when the busiest hour needs more", () => {
    const text = textChart(simulate(budgeted({ requests: 1, per: "2m" }), { days: 1, from: FROM }));
    expect(text).toContain(
      "42 calls from 2026-01-05 08:00 UTC of 31 allowed an hour (1 per 2m, burst 1): OVER BUDGET",
    );
  });
});
