// Retention: delivered deliveries leave the hot collection for the archive, and the archive is
// the record's memory that it was delivered (a re-pulled order is never queued again).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorFactory } from "../../src/connectors/index.js";
import {
  archiveDelivered,
  claimBatch,
  cols,
  completeBatch,
  countDeliveries,
  countStates,
  ensureRecordIndexes,
  listDeliveries,
  resend,
  type Scope,
  storeLevels,
  storeOrders,
  storeShipments,
} from "../../src/records/index.js";
import { archiveStep } from "../../src/runtime/retention.js";
import { createWorker } from "../../src/runtime/worker.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { anOrder, aShipment, claimOptions, wmsScope as wms } from "../helpers/records.js";
import { waitFor } from "../helpers/wait-for.js";

const INV = "inv:m3:A";
const future = () => new Date(Date.now() + 60_000);

/** Claims and acknowledges everything pending in scope; returns the record ids delivered. */
async function deliverAll(db: TestDb["db"], scope: Scope): Promise<string[]> {
  const batch = await claimBatch(db, scope, claimOptions("w"));
  if (!batch) return [];
  const out = await completeBatch(db, batch, { ok: batch.items.map((i) => i.recordId), failed: [] });
  return out?.delivered ?? [];
}

// The timeout only ends a hang; the waits inside are for conditions.
describe("retention", { timeout: 300_000 }, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("ret");
    await ensureRecordIndexes(t.db);
  });
  afterAll(async () => t.close());

  it("archives delivered deliveries only, and a re-pulled order is never delivered twice", async () => {
    await storeOrders(t.db, "m1", "c", [anOrder("1"), anOrder("2")]);
    expect(await deliverAll(t.db, wms("m1"))).toEqual(["order:m1:c:1", "order:m1:c:2"]);
    await storeOrders(t.db, "m1", "c", [anOrder("3")]); // pending: stays
    expect(await archiveDelivered(t.db, future())).toBe(2);
    const c = cols(t.db);
    expect(await c.deliveries.find({ merchantId: "m1" }).toArray()).toMatchObject([
      { recordId: "order:m1:c:3", state: "pending" },
    ]);
    expect(await c.archive.countDocuments({ merchantId: "m1", state: "delivered" })).toBe(2);
    // The cart gives orders 1 and 2 again: nothing is queued, nothing is claimed.
    expect(await storeOrders(t.db, "m1", "c", [anOrder("1"), anOrder("2"), anOrder("4")])).toEqual([
      "order:m1:c:4",
    ]);
    expect((await deliverAll(t.db, wms("m1"))).sort()).toEqual(["order:m1:c:3", "order:m1:c:4"]);
    expect(await deliverAll(t.db, wms("m1"))).toEqual([]);
    // Idempotent: a second pass moves what was delivered since, and the archive keeps one copy each.
    expect(await archiveDelivered(t.db, future())).toBe(2);
    expect(await archiveDelivered(t.db, future())).toBe(0);
    expect(await c.archive.countDocuments({ merchantId: "m1" })).toBe(4);
  });

  it("keeps deliveries younger than the retention hot", async () => {
    await storeOrders(t.db, "m2", "c", [anOrder("1")]);
    await deliverAll(t.db, wms("m2"));
    expect(await archiveDelivered(t.db, new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await cols(t.db).deliveries.countDocuments({ merchantId: "m2", state: "delivered" })).toBe(1);
  });

  it("a re-pulled shipment is not uploaded twice; a changed inventory level is sent again", async () => {
    await storeOrders(t.db, "m3", "c", [anOrder("1")]);
    const ship = [aShipment("s1", "order:m3:c:1")];
    expect((await storeShipments(t.db, "m3", ship)).queued).toEqual(["ship:m3:s1"]);
    const cart: Scope = { service: "shipmentUpload", merchantId: "m3", cartId: "c" };
    expect(await deliverAll(t.db, cart)).toEqual(["ship:m3:s1"]);
    const inv: Scope = { service: "inventoryUpload", merchantId: "m3", cartId: "c" };
    await storeLevels(t.db, "m3", ["c"], [{ sku: "A", quantity: 1, asOf: new Date(1_000) }]);
    expect(await deliverAll(t.db, inv)).toEqual([INV]);
    await archiveDelivered(t.db, future());
    expect((await storeShipments(t.db, "m3", ship)).queued).toEqual([]);
    expect(await deliverAll(t.db, cart)).toEqual([]);
    await storeLevels(t.db, "m3", ["c"], [{ sku: "A", quantity: 2, asOf: new Date(2_000) }]);
    expect(await deliverAll(t.db, inv)).toEqual([INV]);
    // Delivered again and archived again: the newer copy replaces the older one.
    expect(await archiveDelivered(t.db, future())).toBe(1);
    const archived = await cols(t.db).archive.find({ recordId: INV }).toArray();
    expect(archived).toHaveLength(1);
  });

  it("records, counts and resend see archived deliveries", async () => {
    await storeOrders(t.db, "m4", "c", [anOrder("1"), anOrder("2")]);
    await deliverAll(t.db, wms("m4"));
    await storeOrders(t.db, "m4", "c", [anOrder("3")]);
    await archiveDelivered(t.db, future());
    const listed = await listDeliveries(t.db, { merchantId: "m4" });
    expect(listed.map((d) => d.recordId).sort()).toEqual(["order:m4:c:1", "order:m4:c:2", "order:m4:c:3"]);
    expect(await countDeliveries(t.db, { merchantId: "m4", state: "delivered" })).toBe(2);
    expect(await listDeliveries(t.db, { merchantId: "m4", state: "pending" })).toHaveLength(1);
    expect(await countStates(t.db, { merchantId: "m4" })).toMatchObject({ delivered: 2, pending: 1 });
    const c0 = cols(t.db);
    const all =
      (await c0.deliveries.countDocuments({ state: "delivered" })) + (await c0.archive.countDocuments({}));
    expect((await countStates(t.db, {})).delivered).toBe(all);
    // Resend brings an archived delivery back to the hot collection, pending.
    const r = await resend(t.db, ["order:m4:c:1"]);
    expect(r.requeued).toBe(1);
    const c = cols(t.db);
    expect(await c.archive.countDocuments({ recordId: "order:m4:c:1" })).toBe(0);
    expect(await c.deliveries.findOne({ recordId: "order:m4:c:1" })).toMatchObject({ state: "pending" });
    expect((await deliverAll(t.db, wms("m4"))).sort()).toEqual(["order:m4:c:1", "order:m4:c:3"]);
  });

  it("a running worker archives past its retention; off never does", async () => {
    await storeOrders(t.db, "m5", "c", [anOrder("1")]);
    await deliverAll(t.db, wms("m5"));
    const off = createWorker(t.db, {
      connectors: createConnectorFactory({}),
      retentionMs: Number.POSITIVE_INFINITY,
    });
    expect(await archiveStep(off.ctx)).toBe(0);
    expect(await cols(t.db).deliveries.countDocuments({ merchantId: "m5" })).toBe(1);
    const on = createWorker(t.db, {
      connectors: createConnectorFactory({}),
      retentionMs: 0,
      archiveEveryMs: 100,
    });
    await on.start();
    try {
      await waitFor(
        "the delivered delivery archived",
        async () => (await cols(t.db).archive.countDocuments({ merchantId: "m5" })) === 1,
      );
    } finally {
      await on.stop(1_000);
    }
    expect(await cols(t.db).deliveries.countDocuments({ merchantId: "m5" })).toBe(0);
  });
});
