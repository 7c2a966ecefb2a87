// The status page's charts from the store: runs per hour (every finished run, by outcome) and the
// latency of Automatic services' deliveries only; rendered as inline SVG.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRun, RunHourTally, runsPerHour } from "../../src/jobs/run-hours.js";
import { recentActivity } from "../../src/records/activity.js";
import { cols } from "../../src/records/collections.js";
import type { DeliveryDoc } from "../../src/records/types.js";
import { latencyChart, runsChart } from "../../src/server/status-charts.js";
import { type TestDb, testDb } from "../helpers/db.js";

const HOUR = 3_600_000;
const now = new Date("2026-03-02T10:30:00Z");

function delivered(
  id: string,
  merchantId: string,
  service: DeliveryDoc["service"],
  latencyS: number,
): DeliveryDoc {
  const deliveredAt = new Date(now.getTime() - 60_000);
  return {
    _id: id,
    recordId: id,
    kind: "order",
    service,
    merchantId,
    cartId: null,
    state: "delivered",
    attempts: 1,
    createdAt: new Date(deliveredAt.getTime() - latencyS * 1000),
    updatedAt: deliveredAt,
    deliveredAt,
  };
}

describe("status page activity", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("act");
  });
  afterAll(async () => t.close());

  it("counts runs per UTC hour by outcome, zeros where none ended", async () => {
    await Promise.all([
      countRun(t.db, { ok: true, at: now }),
      countRun(t.db, { ok: true, at: now }),
      countRun(t.db, { ok: false, at: now }),
      countRun(t.db, { ok: false, at: new Date(now.getTime() - 2 * HOUR) }),
    ]);
    const hours = await runsPerHour(t.db, { now, hours: 3 });
    expect(hours).toEqual([
      { hour: new Date("2026-03-02T08:00:00Z"), succeeded: 0, failed: 1 },
      { hour: new Date("2026-03-02T09:00:00Z"), succeeded: 0, failed: 0 },
      { hour: new Date("2026-03-02T10:00:00Z"), succeeded: 2, failed: 1 },
    ]);
    const svg = runsChart(hours);
    expect(svg).toContain("10h UTC: 2 runs succeeded");
    expect(svg).toContain("10h UTC: 1 run failed");
  });

  it("a worker's tally writes its runs per hour in one write each, on flush", async () => {
    const db = t.db.client.db(`${t.db.databaseName}_tally`);
    const tally = new RunHourTally(db, 60_000);
    for (const ok of [true, true, true, false]) tally.add({ ok, at: now });
    tally.add({ ok: true, at: new Date(now.getTime() - HOUR) });
    expect((await runsPerHour(db, { now, hours: 2 })).map((h) => h.succeeded + h.failed)).toEqual([0, 0]);
    await tally.flush();
    await tally.flush(); // nothing held: writes nothing more
    expect(await runsPerHour(db, { now, hours: 2 })).toEqual([
      { hour: new Date("2026-03-02T09:00:00Z"), succeeded: 1, failed: 0 },
      { hour: new Date("2026-03-02T10:00:00Z"), succeeded: 3, failed: 1 },
    ]);
    await db.dropDatabase();
  });

  it("takes the latency of Automatic services' deliveries only", async () => {
    await cols(t.db).deliveries.insertMany([
      delivered("a1", "acme", "orderDelivery", 4),
      delivered("a2", "acme", "orderDelivery", 6),
      // A periodic service: its latency is mostly its interval, never in the Automatic chart.
      delivered("p1", "zeta", "orderDelivery", 1800),
    ]);
    const activity = await recentActivity(t.db, {
      now,
      hours: 2,
      automatic: (s) => s.merchantId === "acme" && s.cartId === null && s.service === "orderDelivery",
    });
    const last = activity.hours.at(-1);
    expect(last?.delivered).toBe(3);
    expect(last?.medianLatencySeconds).toBe(5);
    expect(latencyChart(activity.hours)).toContain("Automatic latency");
    const none = await recentActivity(t.db, { now, hours: 2 });
    expect(none.hours.at(-1)?.medianLatencySeconds).toBeUndefined();
  });
});
