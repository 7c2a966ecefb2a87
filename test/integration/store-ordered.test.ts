// schedsync's FerretDB build reads a find with a sort and a limit in the sort's order from an order
// index when that order is exact (src/store/ferretdb-order.ts). Whatever the types, the first n
// documents must be the ones the same find returns without a limit (sorted in full by the store),
// on FerretDB and on MongoDB alike; the ordered read starts once as many documents as the limit
// (at most 200) pass the filter the store tests.
import { Long, ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDb, testDb } from "../helpers/db.js";

const T0 = Date.UTC(2026, 5, 1);

/** Documents of k "a" (most) and "b", with s of every type SQL orders as BSON does. */
function docs(): object[] {
  const out: object[] = [];
  const kinds = [
    (i: number) => new Date(T0 + (i % 37) * 60_000),
    (i: number) => i % 11,
    (i: number) => Long.fromNumber(i % 13),
    (i: number) => (i % 17) + 0.5,
    (i: number) => `s${i % 19}`,
    (i: number) => new ObjectId(`${(i % 23).toString(16).padStart(24, "0")}`),
    (i: number) => i % 2 === 0,
    () => null,
    () => undefined,
  ];
  for (let i = 0; i < 600; i++) {
    const s = kinds[i % kinds.length]?.(i);
    out.push({
      k: i % 10 === 0 ? "b" : "a",
      ...(s === undefined ? {} : { s }),
      p: i % 7,
      locked: i % 5 === 0,
    });
  }
  return out;
}

describe("ordered reads (sort + limit)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("ordered");
    const c = t.db.collection("o");
    await c.createIndex({ k: 1, s: 1, p: -1 });
    await c.insertMany(docs());
  });
  afterAll(async () => {
    await t?.close();
  });

  const same = async (filter: object, sort: Record<string, 1 | -1>, limit: number) => {
    const c = t.db.collection("o");
    const full = await c.find(filter, { sort }).toArray();
    const limited = await c.find(filter, { sort, limit }).toArray();
    expect(limited.length).toBe(Math.min(limit, full.length));
    expect(limited.map((d) => String(d._id))).toEqual(full.slice(0, limit).map((d) => String(d._id)));
  };

  it("returns the first documents of the full sort, ascending and descending, over mixed types", async () => {
    for (const limit of [1, 7, 20, 150]) {
      await same({ k: "a" }, { s: 1, p: -1, _id: 1 }, limit);
      await same({ k: "a" }, { s: -1, p: 1, _id: -1 }, limit);
    }
  });

  it("a small k: ordered from the limit on, the full sort below it", async () => {
    // 60 documents of "b": limits 1-60 walk the order index, 100 decodes and sorts them.
    for (const limit of [1, 7, 60, 100]) {
      await same({ k: "b" }, { s: 1, p: -1, _id: 1 }, limit);
      await same({ k: "b", locked: false }, { s: -1, _id: -1 }, limit);
    }
  });

  it("filters the rows as they come: conditions the store tests and ones only the handler does", async () => {
    await same({ k: "a", locked: false }, { s: 1, _id: 1 }, 20);
    await same({ k: "a", p: { $gte: 3 } }, { s: 1, _id: 1 }, 20);
    await same({ k: "a", $or: [{ s: { $lte: new Date(T0 + 600_000) } }, { p: 6 }] }, { s: 1, _id: 1 }, 25);
  });

  it("falls back to the full sort when a document's sort value is an array or a document", async () => {
    const c = t.db.collection("o");
    const ids = (
      await c.insertMany([
        { k: "a", s: [new Date(T0 - 1), "z"], p: 1 },
        { k: "a", s: { x: 1 }, p: 1 },
      ])
    ).insertedIds;
    try {
      await same({ k: "a" }, { s: 1, _id: 1 }, 10);
      await same({ k: "a" }, { s: -1, _id: 1 }, 10);
    } finally {
      await c.deleteMany({ _id: { $in: Object.values(ids) } });
    }
  });

  it("falls back when the equality field is an array somewhere (equality matches its elements)", async () => {
    const c = t.db.collection("o");
    const { insertedId } = await c.insertOne({ k: ["c", "a"], s: new Date(0), p: 0 });
    try {
      await same({ k: "a" }, { s: 1, _id: 1 }, 5);
      const first = await c.find({ k: "a" }, { sort: { s: 1, _id: 1 }, limit: 1 }).toArray();
      expect(String(first[0]?._id)).not.toBe(String(insertedId)); // null, missing and numbers come first
      await same({ k: "a", s: { $type: "date" } }, { s: 1, _id: 1 }, 1);
    } finally {
      await c.deleteOne({ _id: insertedId });
    }
  });
});
