// MongoDB updates one document atomically; the product's locks and counters depend on it. FerretDB
// 1.24 alone does not (read-then-write, FerretDB#2168), so the embedded store puts a proxy in
// front of it that runs write commands one at a time. These races must never double-win.
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDb, testDb } from "../helpers/db.js";

let t: TestDb;
let clients: MongoClient[] = [];
beforeAll(async () => {
  t = await testDb("atomic");
  clients = await Promise.all([0, 1, 2, 3].map(() => MongoClient.connect(t.uri)));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t.close();
});

const col = (c: MongoClient, name: string) =>
  c.db(t.dbName).collection<{ _id: number; lockedAt: Date | null }>(name);

describe("single-document atomicity through the store", () => {
  it("findOneAndUpdate hands each unlocked document to exactly one of many racing clients", async () => {
    const n = 100;
    await col(clients[0] as MongoClient, "locks").insertMany(
      Array.from({ length: n }, (_, i) => ({ _id: i, lockedAt: null })),
    );
    const won: number[] = [];
    await Promise.all(
      clients.flatMap((c) =>
        [0, 1].map(async () => {
          for (;;) {
            const doc = await col(c, "locks").findOneAndUpdate(
              { lockedAt: null },
              { $set: { lockedAt: new Date() } },
              { sort: { _id: 1 }, returnDocument: "after" },
            );
            if (!doc) return;
            won.push(doc._id);
          }
        }),
      ),
    );
    expect(won).toHaveLength(n);
    expect(new Set(won).size).toBe(n);
  });

  it("a conditional updateOne is a compare-and-set", async () => {
    await col(clients[0] as MongoClient, "cas").insertOne({ _id: 1, lockedAt: null });
    const results = await Promise.all(
      clients.flatMap((c) =>
        [0, 1, 2].map(() =>
          col(c, "cas").updateOne({ _id: 1, lockedAt: null }, { $set: { lockedAt: new Date() } }),
        ),
      ),
    );
    expect(results.reduce((sum, r) => sum + r.modifiedCount, 0)).toBe(1);
  });

  it("$inc loses no increments", async () => {
    const counters = (c: MongoClient) => c.db(t.dbName).collection<{ _id: string; n: number }>("counters");
    await counters(clients[0] as MongoClient).insertOne({ _id: "c", n: 0 });
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < 50; i++) await counters(c).updateOne({ _id: "c" }, { $inc: { n: 1 } });
      }),
    );
    expect((await counters(clients[0] as MongoClient).findOne({ _id: "c" }))?.n).toBe(200);
  });
});
