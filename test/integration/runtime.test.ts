// The runtime on the real store and a real Agenda, with in-process fake cart/WMS systems.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorFactory } from "../../src/connectors/factory.js";
import type { RecordResult } from "../../src/connectors/port.js";
import { TRIGGER_JOB } from "../../src/jobs/document.js";
import { loadSpec } from "../../src/jobs/repository.js";
import {
  cols,
  type IncomingLevel,
  type IncomingShipment,
  type Order,
  resend,
} from "../../src/records/index.js";
import { runKey } from "../../src/runtime/run-key.js";
import { loadRun } from "../../src/runtime/run-state.js";
import { trigger } from "../../src/runtime/trigger.js";
import { createWorker, type Worker } from "../../src/runtime/worker.js";
import type { MerchantModel } from "../../src/schedule/model.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { anOrder, aShipment } from "../helpers/records.js";
import { cart, every5m, installJobs, merchant } from "../helpers/worker-jobs.js";

interface Push {
  to: string;
  key: string;
  ids: string[];
}

/**
 * Fake carts and WMS connectors: what they hold to be pulled and every push they received. Levels
 * without `asOf` are measured at the pull.
 */
class World implements ConnectorFactory {
  orders = new Map<string, Order[]>();
  shipments: IncomingShipment[] = [];
  levels: IncomingLevel[] = [];
  pushes: Push[] = [];
  reject = new Set<string>();

  private received(to: string, batch: { id: string }[], key: string): RecordResult[] {
    const ids = batch.map((r) => r.id);
    this.pushes.push({ to, key, ids });
    return ids.map((id) =>
      this.reject.has(id) ? { id, ok: false, error: "rejected", retryable: true } : { id, ok: true },
    );
  }

  delivered(to: string): string[] {
    const res = this.pushes
      .filter((p) => p.to === to)
      .flatMap((p) => p.ids.filter((id) => !this.reject.has(id)));
    return [...new Set(res)].sort();
  }

  cart(_c: unknown, who: { merchantId: string; cartId: string }) {
    const to = `${who.merchantId}/${who.cartId}`;
    return {
      pullOrders: async (cursor: string | undefined) => {
        const all = this.orders.get(to) ?? [];
        return { orders: all.slice(Number(cursor ?? 0)), cursor: String(all.length), more: false };
      },
      pushShipments: async (batch: { id: string }[], key: string) => this.received(`${to}:ship`, batch, key),
      pushInventory: async (batch: { id: string }[], key: string) => this.received(`${to}:inv`, batch, key),
    };
  }

  wms(_c: unknown, who: { merchantId: string }) {
    const to = `${who.merchantId}/wms`;
    return {
      pushOrders: async (batch: { id: string }[], key: string) => this.received(to, batch, key),
      pullShipments: async (cursor: string | undefined) => ({
        shipments: this.shipments.slice(Number(cursor ?? 0)).map((s) => s.payload),
        cursor: String(this.shipments.length),
        more: false,
      }),
      pullInventory: async () => {
        const measured = new Date();
        const levels = this.levels.map((l) => ({
          sku: l.sku,
          available: l.quantity,
          asOf: (l.asOf ?? measured).toISOString(),
        }));
        return { levels, cursor: "", more: false };
      },
    };
  }

  addOrder(merchantId: string, cartId: string, externalId: string) {
    const k = `${merchantId}/${cartId}`;
    this.orders.set(k, [...(this.orders.get(k) ?? []), anOrder(externalId, cartId)]);
  }
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for: ${what}`);
}

// The timeout only ends a hang; the waits inside are for conditions.
describe("runtime (one worker, fake systems)", { timeout: 300_000 }, () => {
  let t: TestDb;
  let w: Worker;
  const world = new World();
  const models: MerchantModel[] = [
    merchant("m1", [cart("A", "m1"), cart("B", "m1")]),
    merchant("m2", [cart("A", "m2")], { orderDelivery: every5m }),
  ];

  const spec = async (key: string) => {
    const s = await loadSpec(t.db, key);
    if (!s) throw new Error(`no job ${key}`);
    return s;
  };
  const run = async (key: string) => {
    const r = await runKey(w.ctx, await spec(key));
    if (r === "busy") throw new Error(`${key} busy`);
    return r as Record<string, unknown>;
  };
  const delivery = (recordId: string) => cols(t.db).deliveries.findOne({ recordId });
  const pendingTriggers = (key: string) =>
    t.db.collection("agendaJobs").countDocuments({ name: TRIGGER_JOB, "data.key": key });

  beforeAll(async () => {
    t = await testDb("rt");
    await installJobs(t.db, models);
    w = createWorker(t.db, {
      connectors: world,
      processEvery: 100,
      windowMs: 200,
      owner: "w1",
      policy: { maxAttempts: 3, maxAgeMs: 86_400_000, retryDelayMs: 0 },
    });
    await w.start();
  });
  afterAll(async () => {
    await w?.stop(5_000);
    await t?.close();
  });

  it("delivers an order from cart A to the WMS automatically and triggers inventory upload on B, not A", async () => {
    world.addOrder("m1", "A", "1001");
    const r = await run("m1/A/orderDownload");
    expect(r).toMatchObject({ stored: 1, triggered: ["m1/orderDelivery", "m1/B/inventoryUpload"] });
    await waitFor("the order at the WMS", () => world.delivered("m1/wms").includes("order:m1:A:1001"));
    await waitFor("order status at_wms", async () => {
      return (await cols(t.db).orders.findOne({ _id: "order:m1:A:1001" }))?.status === "at_wms";
    });
    await waitFor("inventory upload run on B", async () => !!(await loadRun(t.db, "m1/B/inventoryUpload")));
    expect(await loadRun(t.db, "m1/A/inventoryUpload")).toBeNull();
    // Downloading again stores nothing and triggers nothing.
    expect(await run("m1/A/orderDownload")).toMatchObject({ stored: 0, triggered: [] });
  });

  it("sends tracking to the cart that owns the order", async () => {
    world.addOrder("m1", "B", "2001");
    await run("m1/B/orderDownload");
    await waitFor("order 2001 at the WMS", () => world.delivered("m1/wms").includes("order:m1:B:2001"));
    world.shipments.push(aShipment("T-1", "order:m1:B:2001"));
    const r = await run("m1/shippingConfirmations");
    expect(r).toMatchObject({ stored: 1, triggered: ["m1/B/shipmentUpload"] });
    await waitFor("tracking on cart B", () => world.delivered("m1/B:ship").includes("ship:m1:T-1"));
    expect(world.delivered("m1/A:ship")).toEqual([]);
    await waitFor("order confirmed", async () => {
      return (await cols(t.db).orders.findOne({ _id: "order:m1:B:2001" }))?.status === "confirmed";
    });
  });

  it("pushes inventory levels to every cart of the merchant", async () => {
    world.levels = [{ sku: "S1", quantity: 4 }];
    expect(await run("m1/inventory")).toMatchObject({ stored: 1 });
    await waitFor("S1 on A and B", () =>
      ["m1/A:inv", "m1/B:inv"].every((c) => world.delivered(c).includes("inv:m1:S1")),
    );
  });

  it("does not retry a failure at once under Automatic; the next trigger and a cleanup run do", async () => {
    world.reject.add("order:m1:A:1002");
    world.addOrder("m1", "A", "1002");
    await run("m1/A/orderDownload");
    await waitFor("1002 failed", async () => (await delivery("order:m1:A:1002"))?.state === "failed");
    // Nothing is scheduled to try it again: no trigger job is waiting for the key.
    await waitFor("the trigger job gone", async () => (await pendingTriggers("m1/orderDelivery")) === 0);
    expect(await delivery("order:m1:A:1002")).toMatchObject({ state: "failed", attempts: 1 });
    expect((await cols(t.db).orders.findOne({ _id: "order:m1:A:1002" }))?.status).toBe("error");

    // The next trigger (a new order) retries it.
    world.addOrder("m1", "A", "1003");
    await run("m1/A/orderDownload");
    await waitFor("1002 attempted again", async () => (await delivery("order:m1:A:1002"))?.attempts === 2);
    await waitFor("1003 delivered", async () => (await delivery("order:m1:A:1003"))?.state === "delivered");
    expect(await delivery("order:m1:A:1002")).toMatchObject({ state: "failed" });

    // The merchant's cleanup run retries it; now the WMS accepts it.
    world.reject.delete("order:m1:A:1002");
    expect(await run("m1/cleanup")).toMatchObject({
      triggered: [
        "m1/orderDelivery",
        "m1/A/shipmentUpload",
        "m1/A/inventoryUpload",
        "m1/B/shipmentUpload",
        "m1/B/inventoryUpload",
      ].sort(),
    });
    await waitFor("1002 delivered", async () => (await delivery("order:m1:A:1002"))?.state === "delivered");
    expect((await cols(t.db).orders.findOne({ _id: "order:m1:A:1002" }))?.status).toBe("at_wms");
  });

  it("retries a failure of a periodic service on its next run", async () => {
    world.reject.add("order:m2:A:1");
    world.addOrder("m2", "A", "1");
    expect(await run("m2/A/orderDownload")).toMatchObject({ stored: 1, triggered: [] });
    expect(await run("m2/orderDelivery")).toMatchObject({ delivered: 0, failed: 1 });
    world.reject.delete("order:m2:A:1");
    expect(await run("m2/orderDelivery")).toMatchObject({ delivered: 1, failed: 0 });
  });

  it("gives up after maxAttempts (skipped); resend delivers it", async () => {
    world.reject.add("order:m2:A:2");
    world.addOrder("m2", "A", "2");
    await run("m2/A/orderDownload");
    for (let i = 0; i < 3; i++) await run("m2/orderDelivery");
    expect(await delivery("order:m2:A:2")).toMatchObject({ state: "skipped", attempts: 3 });
    expect(await run("m2/orderDelivery")).toMatchObject({ batches: 0 });
    world.reject.delete("order:m2:A:2");
    expect(await resend(t.db, ["order:m2:A:2"])).toMatchObject({ requeued: 1 });
    expect(await run("m2/orderDelivery")).toMatchObject({ delivered: 1 });
  });

  it("coalesces a burst of triggers into one run", async () => {
    const s = await spec("m1/A/inventoryUpload");
    const before = world.pushes.filter((p) => p.to === "m1/A:inv").length;
    world.levels = [{ sku: "S2", quantity: 1 }];
    await run("m1/inventory");
    for (let i = 0; i < 5; i++) await trigger(w.ctx, s);
    await waitFor("S2 on A", () => world.delivered("m1/A:inv").includes("inv:m1:S2"));
    await waitFor("triggers drained", async () => (await pendingTriggers("m1/A/inventoryUpload")) === 0);
    expect(world.pushes.filter((p) => p.to === "m1/A:inv").length - before).toBe(1);
  });

  it("keeps a window fixed from the first trigger: later triggers never push it back, a sooner one brings it forward", async () => {
    const s = await spec("m1/B/inventoryUpload");
    const job = () =>
      t.db
        .collection("agendaJobs")
        .findOne({ name: TRIGGER_JOB, "data.key": s.key, nextRunAt: { $ne: null } });
    // Earlier tests' triggers of B (a slow machine may not have run them yet) are gone first.
    await waitFor("earlier triggers of the key ran", async () => (await pendingTriggers(s.key)) === 0);
    const t0 = Date.now();
    await trigger(w.ctx, s, 60_000);
    const first = (await job())?.nextRunAt as Date;
    expect(first.getTime()).toBeGreaterThanOrEqual(t0 + 60_000);
    await trigger(w.ctx, s, 120_000);
    await trigger(w.ctx, s, 90_000);
    expect((await job())?.nextRunAt).toEqual(first);
    expect(await pendingTriggers(s.key)).toBe(1);
    await trigger(w.ctx, s, 1);
    await waitFor("the trigger brought forward ran", async () => (await pendingTriggers(s.key)) === 0);
  });
});
