// schedsync's FerretDB build pushes simple conditions down to SQLite (src/store/ferretdb-pushdown.ts).
// The pushed-down condition must keep every document MongoDB would match, whatever its types:
// these filters return the same documents as on MongoDB, and Agenda's lock query uses its index.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFerretdb } from "../../src/store/flavor.js";
import { type TestDb, testDb } from "../helpers/db.js";

const D = new Date("2026-06-01T00:00:00Z");
const before = new Date("2026-05-01T00:00:00Z");
const after = new Date("2026-07-01T00:00:00Z");

const DOCS = [
  { _id: "due", name: "a", at: before, lockedAt: null },
  { _id: "later", name: "a", at: after, lockedAt: null },
  { _id: "old", name: "a", at: new Date("1999-01-01T00:00:00Z") }, // 12-digit milliseconds
  { _id: "neg", name: "a", at: new Date("1960-01-01T00:00:00Z") }, // negative milliseconds
  { _id: "arr", name: ["b", "a"], at: [after, before], lockedAt: [null] },
  { _id: "str", name: "a", at: "2026-05-01", lockedAt: "x" },
  { _id: "num", name: "a", at: 5, lockedAt: 0 },
  { _id: "other", name: "b", at: before, lockedAt: before },
  { _id: "missing" },
  // Dotted paths: the value deep down, behind an array on the way, a scalar on the way, a boolean.
  { _id: "deep", d: { e: { f: "x", on: true } } },
  { _id: "deep-other", d: { e: { f: "y", on: false } } },
  { _id: "deep-arr-top", d: [{ e: { f: "x" } }] },
  { _id: "deep-arr-mid", d: { e: [{ f: "y" }, { f: "x" }] } },
  { _id: "deep-arr-end", d: { e: { f: ["y", "x"] } } },
  { _id: "deep-scalar", d: 5 },
];

const DEEP = ["deep", "deep-arr-end", "deep-arr-mid", "deep-arr-top", "deep-other", "deep-scalar"];
const NULL_LOCKED = ["arr", ...DEEP, "due", "later", "missing", "neg", "old"];

const CASES: Array<[string, object, string[]]> = [
  ["string equality, arrays included", { name: "a" }, ["arr", "due", "later", "neg", "num", "old", "str"]],
  ["$lte a date, any length of milliseconds", { at: { $lte: D } }, ["arr", "due", "neg", "old", "other"]],
  ["$lt a date", { at: { $lt: before } }, ["neg", "old"]],
  ["date equality", { at: before }, ["arr", "due", "other"]],
  ["null matches null, missing and arrays with null", { lockedAt: null }, NULL_LOCKED],
  ["$eq null", { lockedAt: { $eq: null } }, NULL_LOCKED],
  [
    "Agenda's lock query shape",
    {
      name: "a",
      disabled: { $ne: true },
      $or: [{ lockedAt: { $eq: null }, at: { $lte: D } }, { lockedAt: { $lte: D } }],
    },
    ["arr", "due", "neg", "old"],
  ],
  [
    "$or of dates",
    { $or: [{ at: { $lte: before } }, { lockedAt: { $lte: D } }] },
    ["arr", "due", "neg", "old", "other"],
  ],
  ["_id with more conditions", { _id: "due", name: "a", at: before }, ["due"]],
  ["_id with a failing condition", { _id: "due", name: "b" }, []],
  [
    "_id $in with more conditions",
    { _id: { $in: ["due", "later", "other", "nope"] }, name: "a" },
    ["due", "later"],
  ],
  ["_id $in of mixed types is left to the handler", { _id: { $in: ["due", 5] } }, ["due"]],
  ["$in of strings, arrays included", { name: { $in: ["b", "z"] } }, ["arr", "other"]],
  ["$in of dates", { at: { $in: [before, D] } }, ["arr", "due", "other"]],
  [
    "$in with a null is left to the handler",
    { lockedAt: { $in: [null, "x"] } },
    [...NULL_LOCKED, "str"].sort(),
  ],
  [
    "dotted path equality, through arrays on the way",
    { "d.e.f": "x" },
    ["deep", "deep-arr-end", "deep-arr-mid", "deep-arr-top"],
  ],
  ["dotted path $in", { "d.e.f": { $in: ["y", "z"] } }, ["deep-arr-end", "deep-arr-mid", "deep-other"]],
  ["dotted path with an array index", { "d.0.e.f": "x" }, ["deep-arr-top"]],
  ["dotted path to a boolean", { "d.e.on": true }, ["deep"]],
  ["boolean false", { "d.e.on": false }, ["deep-other"]],
  [
    "dotted path to null: missing on the way counts",
    { "d.e.f": null },
    ["arr", "due", "later", "missing", "neg", "num", "old", "other", "str", "deep-scalar"].sort(),
  ],
];

describe("filter pushdown returns what MongoDB returns", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("pushdown");
    const c = t.db.collection("c");
    await c.insertMany(DOCS as never[]);
    await c.createIndex({ name: 1, at: 1, lockedAt: 1 });
  });
  afterAll(async () => t?.close());

  it.each(CASES)("%s", async (_label, filter, ids) => {
    const got = await t.db.collection("c").find(filter).toArray();
    expect(got.map((d) => String(d._id)).sort()).toEqual(ids);
  });

  it("findOneAndUpdate on a pushed-down filter changes the matching document only", async () => {
    const c = t.db.collection("c");
    const r = await c.findOneAndUpdate(
      { name: "a", lockedAt: null, at: { $lte: D } },
      { $set: { lockedAt: D } },
      { sort: { at: 1 } },
    );
    expect(String(r?._id)).toBe("neg");
    await c.updateOne({ _id: "neg" as never }, { $unset: { lockedAt: true } });
  });

  it("explains Agenda's lock query as an index search", async () => {
    if (!(await isFerretdb(t.db))) return;
    const filter = CASES.find(([label]) => label === "Agenda's lock query shape")?.[1];
    const r = await t.db.command({ explain: { find: "c", filter } });
    expect(JSON.stringify(r.queryPlanner)).toMatch(/SEARCH \S+ USING INDEX \S+_name_1_at_1_lockedAt_1/);
  });
});
