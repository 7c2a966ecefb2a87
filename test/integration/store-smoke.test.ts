import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDb, testDb } from "../helpers/db.js";

describe("store", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb();
  });
  afterAll(async () => t.close());

  it("round-trips a document through the MongoDB wire protocol", async () => {
    await t.db.collection("smoke").insertOne({ a: 1, at: new Date(0) });
    const doc = await t.db.collection("smoke").findOne({ a: 1 });
    expect(doc?.at).toEqual(new Date(0));
  });
});
