// The embedded FerretDB keeps a value index beside each index (src/store/ferretdb-value-indexes.ts)
// and the pushdown searches them: Agenda's lock query, the poll gate's read and findSpecs by merchant are
// index searches, not reads of every job. A dropped index takes its value index along, and a data
// dir written by an older build gets its value indexes when the store starts.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newJobDocument } from "../../src/jobs/document.js";
import { hasLockable } from "../../src/jobs/due-names.js";
import { ensureJobIndexes, findSpecs, resumeSuspended } from "../../src/jobs/repository.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { startEmbedded } from "../../src/store/embedded.js";
import { isFerretdb } from "../../src/store/flavor.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { waitFor } from "../helpers/wait-for.js";
import { auto, cart, merchant } from "../helpers/worker-jobs.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const AGENDA_INDEX = { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 };

function lockFilter(name?: string) {
  return {
    ...(name ? { name } : {}),
    disabled: { $ne: true },
    $or: [
      { lockedAt: { $eq: null }, nextRunAt: { $lte: NOW } },
      { lockedAt: { $lte: new Date(NOW.getTime() - 600_000) } },
    ],
  };
}

async function plan(db: Db, filter: object): Promise<string> {
  const r = await db.command({ explain: { find: "agendaJobs", filter } });
  return JSON.stringify(r.queryPlanner);
}

/** Three merchants' jobs, one due and one with a stale lock. */
async function seedJobs(db: Db): Promise<void> {
  const push = auto(60_000, 100);
  const models = ["m1", "m2", "m3"].map((id) =>
    merchant(id, [cart("c1", id, { shipmentUpload: push, inventoryUpload: push })], { orderDelivery: push }),
  );
  const docs = desiredJobs({ merchants: models, documents: 3 }).map((j, i) => ({
    ...newJobDocument(j, "r1"),
    nextRunAt: i === 0 ? new Date(NOW.getTime() - 1_000) : new Date(NOW.getTime() + 60_000),
    lockedAt: i === 1 ? new Date(NOW.getTime() - 3_600_000) : null,
  }));
  await db.collection("agendaJobs").insertMany(docs);
  await db.collection("agendaJobs").createIndex(AGENDA_INDEX, { name: "findAndLockNextJobIndex" });
  await ensureJobIndexes(db);
}

describe("value indexes serve the worker's job queries", () => {
  let t: TestDb;
  let ferret = false;
  beforeAll(async () => {
    t = await testDb("valueidx");
    ferret = await isFerretdb(t.db);
    await seedJobs(t.db);
  });
  afterAll(async () => t?.close());

  it("Agenda's lock query searches the value indexes and finds the due and the stale job", async () => {
    const jobs = t.db.collection("agendaJobs");
    const names = (await jobs.distinct("name")).map(String);
    const found = await Promise.all(names.map((n) => jobs.countDocuments(lockFilter(n))));
    expect(found.reduce((a, b) => a + b, 0)).toBe(2);
    if (!ferret) return;
    const p = await plan(t.db, lockFilter("schedsync:orderDelivery"));
    expect(p).toMatch(/SEARCH \S+ USING INDEX \S+_findAndLockNextJobIndex__v/);
    expect(p).toMatch(/SEARCH \S+ USING INDEX \S+_name_1_lockedAt_1__v/);
    expect(p).not.toMatch(/SCAN/);
  });

  it("the poll gate's read of one lockable job is an index search", async () => {
    const jobs = t.db.collection("agendaJobs");
    const deadline = new Date(NOW.getTime() - 600_000);
    for (const name of (await jobs.distinct("name")).map(String)) {
      const lockable = (await jobs.countDocuments(lockFilter(name))) > 0;
      expect(await hasLockable(t.db, "agendaJobs", name, NOW, deadline)).toBe(lockable);
    }
    if (!ferret) return;
    const p = await plan(t.db, lockFilter("schedsync:orderDelivery"));
    expect(p).toMatch(/USING INDEX/);
    expect(p).not.toMatch(/SCAN/);
  });

  it("findSpecs by merchant (a dotted path) searches the merchant index", async () => {
    const specs = await findSpecs(t.db, { merchantId: "m2", service: ["orderDelivery", "inventoryUpload"] });
    expect(specs.map((s) => s.key).sort()).toEqual(["m2/c1/inventoryUpload", "m2/orderDelivery"].sort());
    if (!ferret) return;
    const p = await plan(t.db, {
      "data.schedsync.managed": true,
      name: { $in: ["schedsync:orderDelivery"] },
      "data.schedsync.spec.merchantId": "m2",
    });
    expect(p).toMatch(/USING INDEX \S+_name_1_data\.schedsync\.spec\.merchantId_1__v/);
    expect(p).not.toMatch(/SCAN/);
  });

  it("the resume sweep searches the written disabled flag and ends only passed suspensions", async () => {
    const jobs = t.db.collection("agendaJobs");
    const until = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
    const suspend = (key: string, at: string) =>
      jobs.updateOne(
        { "data.schedsync.key": key },
        {
          $set: {
            disabled: true,
            "data.schedsync.written.disabled": true,
            "data.schedsync.spec.suspended": { reason: "test", until: at },
          },
        },
      );
    await suspend("m3/orderDelivery", until(-60_000));
    await suspend("m3/c1/shipmentUpload", until(60_000));
    expect(await resumeSuspended(t.db, NOW)).toEqual(["m3/orderDelivery"]);
    const left = await jobs.findOne({ "data.schedsync.key": "m3/c1/shipmentUpload" });
    expect(left?.disabled).toBe(true);
    if (!ferret) return;
    const p = await plan(t.db, {
      "data.schedsync.managed": true,
      "data.schedsync.written.disabled": true,
      "data.schedsync.spec.suspended.until": { $lte: NOW.toISOString() },
    });
    expect(p).toMatch(/USING INDEX \S+_data\.schedsync\.written\.disabled_1__v/);
    expect(p).not.toMatch(/SCAN/);
  });

  it("a dropped index takes its value index along; answers stay the same", async () => {
    const jobs = t.db.collection("agendaJobs");
    const filter = lockFilter("schedsync:orderDelivery");
    const before = await jobs.countDocuments(filter);
    await jobs.dropIndex("name_1_lockedAt_1");
    try {
      expect(await jobs.countDocuments(filter)).toBe(before);
      if (ferret) expect(await plan(t.db, filter)).not.toMatch(/_name_1_lockedAt_1__v/);
    } finally {
      await jobs.createIndex({ name: 1, lockedAt: 1 });
    }
  });
});

// The timeout only ends a hang; the waits inside are for conditions.
describe("a data dir from an older build", { timeout: 300_000 }, () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("gets its value indexes when the store starts", async () => {
    const sqlite3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].find((p) => existsSync(p));
    if (process.env.MONGODB_URI) return; // the embedded store only
    expect(sqlite3, "the sqlite3 command (Debian's sqlite3 package, installed by .ci/run)").toBeDefined();
    dir = await mkdtemp(join(tmpdir(), "schedsync-valueidx-"));
    const file = join(dir, "ferretdb", "data", "old.sqlite");
    const started = async () => {
      const server = await startEmbedded({ dataDir: dir, lingerMs: 0 });
      const client = await MongoClient.connect(server.uri);
      return { server, client, db: client.db("old") };
    };
    const stopped = async (s: Awaited<ReturnType<typeof started>>) => {
      await s.client.close();
      await s.server.release();
      await waitFor(
        "the embedded store to stop",
        () => !existsSync(join(dir as string, "ferretdb", "server.json")),
      );
    };
    const valueIndexes = () =>
      execFileSync(
        sqlite3 as string,
        [file, "SELECT name FROM sqlite_master WHERE name LIKE '%\\_\\_v' ESCAPE '\\'"],
        {
          encoding: "utf8",
        },
      )
        .split("\n")
        .filter(Boolean);

    const first = await started();
    await first.db.collection("c").insertOne({ a: "x" });
    await first.db.collection("c").createIndex({ a: 1 });
    await stopped(first);
    const names = valueIndexes();
    expect(names).toHaveLength(1);
    // What an older build left: the index without its value index.
    execFileSync(sqlite3 as string, [file, `DROP INDEX "${names[0]}"`]);
    expect(valueIndexes()).toEqual([]);

    const second = await started();
    try {
      const p = JSON.stringify(
        (await second.db.command({ explain: { find: "c", filter: { a: "x" } } })).queryPlanner,
      );
      expect(p).toMatch(/USING INDEX \S+_a_1__v/);
      expect(await second.db.collection("c").countDocuments({ a: "x" })).toBe(1);
    } finally {
      await stopped(second);
    }
    expect(valueIndexes()).toEqual(names);
  });
});
