import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { applySet, updateSlices } from "../../src/store/writes.js";

describe("store writes (FerretDB limits kept in the adapter)", () => {
  it("slices a bulk write at 50 update statements, in order, whatever the inserts", () => {
    const ops = [
      ...Array.from({ length: 30 }, (_, i) => ({ insertOne: { document: { _id: i } } })),
      ...Array.from({ length: 120 }, (_, i) => ({
        updateOne: { filter: { _id: i }, update: { $set: { a: 1 } } },
      })),
      ...Array.from({ length: 10 }, (_, i) => ({ deleteOne: { filter: { _id: i } } })),
    ];
    const slices = [...updateSlices(ops)];
    expect(slices.flat()).toEqual(ops);
    expect(slices.map((s) => s.filter((o) => "updateOne" in o).length)).toEqual([50, 50, 20]);
  });

  it("applies a $set of dotted paths to a copy, keeping the other fields and the _id type", () => {
    const _id = new ObjectId();
    const doc = { _id, name: "a", data: { other: 1, schedsync: { key: "k" } }, lastRunAt: new Date(0) };
    const out = applySet(doc, { name: "b", "data.schedsync": { key: "k2" }, "x.y": 2 });
    expect(out).toEqual({
      _id,
      name: "b",
      data: { other: 1, schedsync: { key: "k2" } },
      lastRunAt: new Date(0),
      x: { y: 2 },
    });
    expect(out._id).toBeInstanceOf(ObjectId);
    expect(doc.data.schedsync.key).toBe("k");
  });
});
