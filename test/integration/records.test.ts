import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimBatch,
  cols,
  completeBatch,
  ensureRecordIndexes,
  listDeliveries,
  releaseBatch,
  resend,
  type Scope,
  skipExpired,
  storeLevels,
  storeOrders,
  storeShipments,
} from "../../src/records/index.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { anOrder, aShipment, claimOptions, wmsScope as wms } from "../helpers/records.js";

const order = (externalId: string) => anOrder(externalId);
const opts = claimOptions;

describe("records", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("rec");
    await ensureRecordIndexes(t.db);
  });
  afterAll(async () => t.close());

  it("stores an order downloaded twice once, with one delivery", async () => {
    const first = await storeOrders(t.db, "m1", "cartA", [order("1001"), order("1002")]);
    const again = await storeOrders(t.db, "m1", "cartA", [order("1001"), order("1003")]);
    expect(first).toEqual(["order:m1:cartA:1001", "order:m1:cartA:1002"]);
    expect(again).toEqual(["order:m1:cartA:1003"]);
    const c = cols(t.db);
    expect(await c.orders.countDocuments({ merchantId: "m1" })).toBe(3);
    expect(await c.deliveries.countDocuments({ merchantId: "m1" })).toBe(3);
    // The same external id from another cart is another order.
    expect(await storeOrders(t.db, "m1", "cartB", [order("1001")])).toEqual(["order:m1:cartB:1001"]);
  });

  it("marks acknowledged records delivered and missing ones failed, and moves order status", async () => {
    await storeOrders(t.db, "m2", "c", [order("a"), order("b"), order("c")]);
    const batch = await claimBatch(t.db, wms("m2"), opts("w1"));
    expect(batch?.items.map((i) => i.recordId)).toEqual(["order:m2:c:a", "order:m2:c:b", "order:m2:c:c"]);
    const out = await completeBatch(t.db, batch!, {
      ok: ["order:m2:c:a"],
      failed: [{ id: "order:m2:c:b", error: "bad address" }],
    });
    expect(out).toMatchObject({ delivered: ["order:m2:c:a"], failed: ["order:m2:c:b", "order:m2:c:c"] });
    const c = cols(t.db);
    const orders = await c.orders.find({ merchantId: "m2" }).sort({ _id: 1 }).toArray();
    expect(orders.map((o) => o.status)).toEqual(["at_wms", "error", "error"]);
    const b = await c.deliveries.findOne({ recordId: "order:m2:c:b" });
    expect(b).toMatchObject({ state: "failed", attempts: 1, lastError: "bad address" });
    expect(await c.deliveries.findOne({ recordId: "order:m2:c:c" })).toMatchObject({
      lastError: "not acknowledged by the receiver",
    });
    expect(await c.batches.countDocuments({})).toBe(0);
  });

  it("a record the API budget held back (deferred) waits without counting an attempt", async () => {
    await storeOrders(t.db, "m-deferred", "c", [order("d1")]);
    const policy = { maxAttempts: 2, maxAgeMs: 86_400_000, retryDelayMs: 0 };
    const c = cols(t.db);
    // Three deferrals in a row with maxAttempts 2: never skipped, attempts stay 0, the order is not an error.
    for (let i = 0; i < 3; i++) {
      const batch = await claimBatch(
        t.db,
        wms("m-deferred"),
        opts(`w${i}`, { runStartedAt: new Date(Date.now() + 1_000) }),
      );
      expect(batch?.items.map((it) => it.recordId)).toEqual(["order:m-deferred:c:d1"]);
      const failed = [
        { id: "order:m-deferred:c:d1", error: "API budget: not sent", retryAfterMs: 0, deferred: true },
      ];
      const out = await completeBatch(t.db, batch!, { ok: [], failed }, policy);
      expect(out).toMatchObject({ failed: ["order:m-deferred:c:d1"], skipped: [] });
      expect(await c.deliveries.findOne({ recordId: "order:m-deferred:c:d1" })).toMatchObject({
        state: "failed",
        attempts: 0,
      });
    }
    expect(await c.orders.findOne({ _id: "order:m-deferred:c:d1" })).toMatchObject({ status: "new" });
    // A real failure still counts.
    const batch = await claimBatch(
      t.db,
      wms("m-deferred"),
      opts("w9", { runStartedAt: new Date(Date.now() + 1_000) }),
    );
    await completeBatch(
      t.db,
      batch!,
      { ok: [], failed: [{ id: "order:m-deferred:c:d1", error: "bad address" }] },
      policy,
    );
    expect(await c.deliveries.findOne({ recordId: "order:m-deferred:c:d1" })).toMatchObject({
      state: "failed",
      attempts: 1,
    });
  });

  it("does not retry a failed record within the run that failed it, but does in the next", async () => {
    await storeOrders(t.db, "m3", "c", [order("x")]);
    const runStartedAt = new Date(Date.now() - 1);
    const b1 = await claimBatch(t.db, wms("m3"), opts("w", { runStartedAt }));
    await completeBatch(t.db, b1!, { ok: [], failed: [] });
    expect(await claimBatch(t.db, wms("m3"), opts("w", { runStartedAt }))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 5));
    const b2 = await claimBatch(t.db, wms("m3"), opts("w", { runStartedAt: new Date() }));
    expect(b2?.items.map((i) => i.recordId)).toEqual(["order:m3:c:x"]);
    await completeBatch(t.db, b2!, { ok: ["order:m3:c:x"], failed: [] });
    expect(await cols(t.db).orders.findOne({ _id: "order:m3:c:x" })).toMatchObject({ status: "at_wms" });
  });

  it("never gives the same record to two concurrent claimers", async () => {
    await storeOrders(
      t.db,
      "m4",
      "c",
      Array.from({ length: 60 }, (_, i) => order(String(i).padStart(3, "0"))),
    );
    const batches = await Promise.all(
      ["a", "b", "c", "d"].map((w) => claimBatch(t.db, wms("m4"), opts(w, { max: 25 }))),
    );
    const ids = batches.flatMap((b) => b?.items.map((i) => i.recordId) ?? []);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(0);
    const inflight = await cols(t.db).deliveries.countDocuments({ merchantId: "m4", state: "inflight" });
    expect(inflight).toBe(ids.length);
  });

  it("takes over an expired batch whole, with the same id; the old owner's answer is ignored", async () => {
    await storeOrders(t.db, "m5", "c", [order("1"), order("2")]);
    const dead = await claimBatch(t.db, wms("m5"), opts("dead", { leaseMs: 50 }));
    await storeOrders(t.db, "m5", "c", [order("3")]);
    await new Promise((r) => setTimeout(r, 80));
    const again = await claimBatch(t.db, wms("m5"), opts("alive"));
    expect(again?._id).toBe(dead?._id);
    expect(again?.takes).toBe(2);
    expect(again?.items).toEqual(dead?.items);
    expect(await completeBatch(t.db, dead!, { ok: ["order:m5:c:1"], failed: [] })).toBeUndefined();
    const out = await completeBatch(t.db, again!, { ok: ["order:m5:c:1", "order:m5:c:2"], failed: [] });
    expect(out?.delivered).toHaveLength(2);
    const next = await claimBatch(t.db, wms("m5"), opts("alive"));
    expect(next?.items.map((i) => i.recordId)).toEqual(["order:m5:c:3"]);
    expect(next?._id).not.toBe(dead?._id);
  });

  it("finishes a batch whose owner died after writing the answer", async () => {
    await storeOrders(t.db, "m6", "c", [order("1")]);
    const b = await claimBatch(t.db, wms("m6"), opts("dying", { leaseMs: 50 }));
    await cols(t.db).batches.updateOne(
      { _id: b!._id },
      { $set: { result: { ok: ["order:m6:c:1"], failed: [] } } },
    );
    await new Promise((r) => setTimeout(r, 80));
    expect(await claimBatch(t.db, wms("m6"), opts("next"))).toBeUndefined();
    expect(await cols(t.db).deliveries.findOne({ recordId: "order:m6:c:1" })).toMatchObject({
      state: "delivered",
    });
  });

  it("gives up after maxAttempts (skipped) and resend brings it back", async () => {
    await storeOrders(t.db, "m7", "c", [order("1")]);
    const policy = { maxAttempts: 2, maxAgeMs: 1e9, retryDelayMs: 0 };
    for (let i = 0; i < 2; i++) {
      const b = await claimBatch(t.db, wms("m7"), opts("w", { runStartedAt: new Date(Date.now() + 1) }));
      await completeBatch(t.db, b!, { ok: [], failed: [{ id: "order:m7:c:1", error: "rejected" }] }, policy);
    }
    const d = await cols(t.db).deliveries.findOne({ recordId: "order:m7:c:1" });
    expect(d).toMatchObject({ state: "skipped", attempts: 2 });
    expect(
      await claimBatch(t.db, wms("m7"), opts("w", { runStartedAt: new Date(Date.now() + 1) })),
    ).toBeUndefined();
    expect(
      (await listDeliveries(t.db, { state: "skipped", merchantId: "m7" })).map((x) => x.recordId),
    ).toEqual(["order:m7:c:1"]);
    const r = await resend(t.db, ["order:m7:c:1", "nope"]);
    expect(r).toEqual({ requeued: 1, scopes: [wms("m7")], unknown: ["nope"] });
    const b = await claimBatch(t.db, wms("m7"), opts("w"));
    expect(b?.items).toHaveLength(1);
  });

  it("skips by age and waits out Retry-After", async () => {
    await storeOrders(t.db, "m8", "c", [order("1")], new Date(Date.now() - 10_000));
    const b = await claimBatch(t.db, wms("m8"), opts("w"));
    const policy = { maxAttempts: 100, maxAgeMs: 5_000, retryDelayMs: 0 };
    const out = await completeBatch(t.db, b!, { ok: [], failed: [] }, policy);
    expect(out?.skipped).toEqual(["order:m8:c:1"]);
    await storeOrders(t.db, "m8", "c", [order("2")]);
    const b2 = await claimBatch(t.db, wms("m8"), opts("w"));
    await completeBatch(t.db, b2!, {
      ok: [],
      failed: [{ id: "order:m8:c:2", error: "429", retryAfterMs: 60_000 }],
    });
    const later = opts("w", { runStartedAt: new Date(Date.now() + 1) });
    expect(await claimBatch(t.db, wms("m8"), later)).toBeUndefined();
  });

  it("skipExpired skips failed deliveries past maxAge only, and finds none the second time", async () => {
    await storeOrders(t.db, "mx", "c", [order("old")], new Date(Date.now() - 10_000));
    await storeOrders(t.db, "mx", "c", [order("new")]);
    const b = await claimBatch(t.db, wms("mx"), opts("w"));
    const keep = { maxAttempts: 100, maxAgeMs: 1e9, retryDelayMs: 0 };
    const failed = b!.items.map((i) => ({ id: i.recordId, error: "503" }));
    await completeBatch(t.db, b!, { ok: [], failed }, keep);
    expect(await skipExpired(t.db, wms("mx"), 5_000)).toBe(1);
    expect(await skipExpired(t.db, wms("mx"), 5_000)).toBe(0);
    const states = await cols(t.db)
      .deliveries.find({ merchantId: "mx" }, { projection: { recordId: 1, state: 1, _id: 0 } })
      .sort({ recordId: 1 })
      .toArray();
    expect(states).toEqual([
      { recordId: "order:mx:c:new", state: "failed" },
      { recordId: "order:mx:c:old", state: "skipped" },
    ]);
  });

  it("release puts an unsent batch back", async () => {
    await storeOrders(t.db, "m9", "c", [order("1")]);
    const b = await claimBatch(t.db, wms("m9"), opts("w"));
    await releaseBatch(t.db, b!);
    const again = await claimBatch(t.db, wms("m9"), opts("w"));
    expect(again?.items.map((i) => i.recordId)).toEqual(["order:m9:c:1"]);
  });

  it("routes tracking to the cart that owns the order and moves the order to shipped, then confirmed", async () => {
    await storeOrders(t.db, "ms", "cartA", [order("1")]);
    await storeOrders(t.db, "ms", "cartB", [order("2")]);
    const s = await storeShipments(t.db, "ms", [
      aShipment("T1", "order:ms:cartB:2"),
      aShipment("T2", "order:ms:nowhere:9"),
    ]);
    expect(s).toEqual({ queued: ["ship:ms:T1"], cartIds: ["cartB"], orphans: ["ship:ms:T2"] });
    expect(await storeShipments(t.db, "ms", [aShipment("T1", "order:ms:cartB:2")])).toMatchObject({
      queued: [],
    });
    expect(await cols(t.db).orders.findOne({ _id: "order:ms:cartB:2" })).toMatchObject({ status: "shipped" });
    const scope: Scope = { service: "shipmentUpload", merchantId: "ms", cartId: "cartB" };
    expect(await claimBatch(t.db, { ...scope, cartId: "cartA" }, opts("w"))).toBeUndefined();
    const b = await claimBatch(t.db, scope, opts("w"));
    await completeBatch(t.db, b!, { ok: ["ship:ms:T1"], failed: [] });
    expect(await cols(t.db).orders.findOne({ _id: "order:ms:cartB:2" })).toMatchObject({
      status: "confirmed",
    });
  });

  it("keeps the newest inventory level per sku and resends only changes, also mid-flight", async () => {
    const carts = ["a", "b"];
    const t0 = new Date(Date.now() - 60_000);
    const t1 = new Date(Date.now() - 30_000);
    expect(
      await storeLevels(t.db, "mi", carts, [
        { sku: "S1", quantity: 5, asOf: t0 },
        { sku: "S2", quantity: 1, asOf: t1 },
        { sku: "S1", quantity: 7, asOf: t1 },
      ]),
    ).toEqual(["inv:mi:S1", "inv:mi:S2"]);
    expect(await cols(t.db).inventory.findOne({ _id: "inv:mi:S1" })).toMatchObject({ quantity: 7 });
    // An older level loses; an unchanged newer one is not resent.
    expect(await storeLevels(t.db, "mi", carts, [{ sku: "S1", quantity: 3, asOf: t0 }])).toEqual([]);
    const scope: Scope = { service: "inventoryUpload", merchantId: "mi", cartId: "a" };
    const b = await claimBatch(t.db, scope, opts("w"));
    expect(b?.items).toHaveLength(2);
    expect(await storeLevels(t.db, "mi", carts, [{ sku: "S2", quantity: 1 }])).toEqual([]);
    expect(await storeLevels(t.db, "mi", carts, [{ sku: "S1", quantity: 9 }])).toEqual(["inv:mi:S1"]);
    const out = await completeBatch(t.db, b!, { ok: ["inv:mi:S1", "inv:mi:S2"], failed: [] });
    expect(out).toMatchObject({ delivered: ["inv:mi:S2"], requeued: ["inv:mi:S1"] });
    const b2 = await claimBatch(t.db, scope, opts("w"));
    expect(b2?.items.map((i) => [i.recordId, (i.record as { quantity: number }).quantity])).toEqual([
      ["inv:mi:S1", 9],
    ]);
    const forB = await claimBatch(t.db, { ...scope, cartId: "b" }, opts("w"));
    expect(forB?.items).toHaveLength(2);
  });

  it("keeps the newest level's warehouse, and none when the newest names none", async () => {
    const warehouse = async () => (await cols(t.db).inventory.findOne({ _id: "inv:mw:S1" }))?.warehouse;
    const t0 = new Date(Date.now() - 60_000);
    await storeLevels(t.db, "mw", ["a"], [{ sku: "S1", quantity: 5, asOf: t0, warehouse: "PAR-1" }]);
    expect(await warehouse()).toBe("PAR-1");
    await storeLevels(t.db, "mw", ["a"], [{ sku: "S1", quantity: 4, asOf: new Date(t0.getTime() + 1) }]);
    expect(await warehouse()).toBeUndefined();
  });
});
