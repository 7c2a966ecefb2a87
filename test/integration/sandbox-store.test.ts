// The sandbox kept in the store (sandbox_journal): a restart finds the same orders, shipments,
// stock and idempotency keys; two processes using one sandbox at once agree on every order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderOut } from "../../src/connectors/port.js";
import { SandboxCart, type SandboxOptions, SandboxWms } from "../../src/connectors/sandbox.js";
import { storeJournal } from "../../src/connectors/sandbox-journal.js";
import { type TestDb, testDb } from "../helpers/db.js";

let t: TestDb;
beforeAll(async () => {
  t = await testDb("sandbox");
});
afterAll(() => t?.close());

function clock(start = Date.parse("2026-05-01T00:00:00Z")) {
  const c = { t: start, now: () => c.t };
  return c;
}

const toOut = (o: { externalId: string; cartId: string; lines: OrderOut["lines"]; placedAt: string }) => ({
  id: `order:m:${o.cartId}:${o.externalId}`,
  externalId: o.externalId,
  cartId: o.cartId,
  lines: o.lines,
  shipTo: {},
  placedAt: o.placedAt,
});

describe("sandbox state in the store", () => {
  it("brings a backlog at the first pull and survives a restart", async () => {
    const c = clock();
    // Each "process" gets its own journal object and sandbox instances: nothing shared in memory.
    const opts = (name: string): SandboxOptions => ({
      orderRatePerMinute: 60,
      seed: 9,
      now: c.now,
      journal: storeJournal(t.db),
      name,
      backlogMinutes: 1,
    });
    const cart1 = new SandboxCart("c1", opts("cart:m:c1"));
    const first = await cart1.pullOrders(undefined, 1_000);
    expect(first.orders.map((o) => o.externalId)).toEqual(
      Array.from({ length: 60 }, (_, i) => `c1-${i + 1}`),
    );
    const wms1 = new SandboxWms({ ...opts("wms:m"), failureRate: 0 });
    const batch = first.orders.slice(0, 10).map(toOut);
    const accepted = await wms1.pushOrders(batch, "batch-1");
    const shipped = await wms1.pullShipments(undefined, 100);
    const stock = await wms1.pullInventory(undefined, 1_000);

    c.t += 5_000;
    const cart2 = new SandboxCart("c1", opts("cart:m:c1"));
    const again = await cart2.pullOrders(undefined, 1_000);
    expect(again.orders.slice(0, 60)).toEqual(first.orders);
    expect(again.orders.map((o) => o.externalId).slice(60)).toEqual([
      "c1-61",
      "c1-62",
      "c1-63",
      "c1-64",
      "c1-65",
    ]);
    // Orders made while it was down come once: the cursor of the first process goes on from 60.
    expect((await cart2.pullOrders(first.cursor, 1_000)).orders).toHaveLength(5);

    const wms2 = new SandboxWms({ ...opts("wms:m"), failureRate: 0 });
    expect(await wms2.pullShipments(undefined, 100)).toEqual(shipped);
    expect(await wms2.pullInventory(undefined, 1_000)).toEqual(stock);
    expect(await wms2.pushOrders(batch, "batch-1")).toEqual(accepted); // a repeated key: stored answer
    expect((await wms2.pullShipments(undefined, 100)).shipments).toHaveLength(10);
  });

  it("keeps two processes that use one sandbox at once in step", async () => {
    const c = clock();
    const make = () =>
      new SandboxCart("c2", {
        orderRatePerMinute: 120,
        seed: 3,
        now: c.now,
        journal: storeJournal(t.db),
        name: "cart:m:c2",
      });
    const a = make();
    const b = make();
    await a.pullOrders(undefined, 1); // starts the cart's clock
    for (let i = 0; i < 5; i++) {
      c.t += 3_000;
      await Promise.all([a.pullOrders(undefined, 1), b.pullOrders(undefined, 1)]);
    }
    const [pa, pb] = await Promise.all([a.pullOrders(undefined, 1_000), b.pullOrders(undefined, 1_000)]);
    expect(pa.orders.map((o) => o.externalId)).toEqual(Array.from({ length: 30 }, (_, i) => `c2-${i + 1}`));
    expect(pb.orders).toEqual(pa.orders);
  });
});
