// The push path's store savings keep its guarantees: candidates read ahead that another claimer
// took are not sent twice and do not end a run early; finished batches are deleted by the run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimBatch,
  cols,
  completeBatch,
  deleteFinished,
  ensureRecordIndexes,
  type Lookahead,
  storeOrders,
} from "../../src/records/index.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { anOrder, claimOptions, wmsScope as wms } from "../helpers/records.js";

const opts = (owner: string, ahead?: Lookahead) => claimOptions(owner, { max: 1, ahead });

describe("push path", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("push");
    await ensureRecordIndexes(t.db);
  });
  afterAll(async () => t.close());

  it("a candidate read ahead and taken by another claimer is skipped, and the run goes on", async () => {
    await storeOrders(t.db, "m1", "c", [anOrder("1"), anOrder("2"), anOrder("3")]);
    const ahead: Lookahead = { items: [] };
    const first = await claimBatch(t.db, wms("m1"), opts("run", ahead));
    expect(first?.items.map((i) => i.recordId)).toEqual(["order:m1:c:1"]);
    expect(ahead.items.map((i) => i.recordId)).toEqual(["order:m1:c:2", "order:m1:c:3"]);
    // Another claimer takes order 2 (the run's next read-ahead candidate).
    const other = await claimBatch(t.db, wms("m1"), opts("other"));
    expect(other?.items.map((i) => i.recordId)).toEqual(["order:m1:c:2"]);
    const next = await claimBatch(t.db, wms("m1"), { ...opts("run", ahead), takeOver: false });
    expect(next?.items.map((i) => i.recordId)).toEqual(["order:m1:c:3"]);
    expect(await cols(t.db).batches.countDocuments({ merchantId: "m1" })).toBe(3);
  });

  it("an acknowledged batch is recorded without a read-back; finished batches go together", async () => {
    await storeOrders(t.db, "m2", "c", [anOrder("1"), anOrder("2")]);
    const ahead: Lookahead = { items: [] };
    const finished: string[] = [];
    for (let i = 0; i < 2; i++) {
      const b = await claimBatch(t.db, wms("m2"), opts("run", ahead));
      if (!b) throw new Error("no batch");
      const out = await completeBatch(t.db, b, { ok: [b.items[0]?.recordId ?? ""], failed: [] }, undefined, {
        finished,
      });
      expect(out?.delivered).toEqual([b.items[0]?.recordId]);
    }
    const c = cols(t.db);
    expect(await c.deliveries.countDocuments({ merchantId: "m2", state: "delivered" })).toBe(2);
    expect(await c.orders.countDocuments({ merchantId: "m2", status: "at_wms" })).toBe(2);
    expect(await c.batches.countDocuments({ merchantId: "m2" })).toBe(2);
    await deleteFinished(t.db, finished);
    expect(finished).toEqual([]);
    expect(await c.batches.countDocuments({ merchantId: "m2" })).toBe(0);
  });
});
