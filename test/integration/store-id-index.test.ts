// The embedded FerretDB is built with the _id index fix (src/store/ferretdb-patches.ts): a lookup
// by _id searches the index instead of scanning the table. Real MongoDB always does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFerretdb } from "../../src/store/flavor.js";
import { type TestDb, testDb } from "../helpers/db.js";

describe("_id lookups use the index", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("idx");
    await t.db.collection("c").insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `d${i}` as never })));
  });
  afterAll(async () => t?.close());

  it("explains a find by _id as an index search", async () => {
    const r = await t.db.command({ explain: { find: "c", filter: { _id: "d7" } } });
    const plan = JSON.stringify(r.queryPlanner);
    if (await isFerretdb(t.db)) expect(plan).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    else expect(plan).toMatch(/IDHACK|EXPRESS|IXSCAN/);
  });
});
