// Fewer store commands while idle and per run (docs/benchmarks.md, "Fleet"): a worker's poll
// rounds with nothing lockable send no lock query, only a read per name (jobs/due-names.ts), a job made due by another
// process is still run, a run's record rides on its lease's release, and an empty pull that leaves
// its cursor in place writes no cursor.
import { randomBytes } from "node:crypto";
import { type Db, MongoClient, ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOBS_COLLECTION, jobIdHex } from "../../src/jobs/document.js";
import { GATE_COMMENT } from "../../src/jobs/due-names.js";
import { loadSpec } from "../../src/jobs/repository.js";
import { expiredLeases, LOCKS } from "../../src/platform/lease.js";
import { CURSORS } from "../../src/records/index.js";
import { runKey } from "../../src/runtime/run-key.js";
import { loadRun, runLockName } from "../../src/runtime/run-state.js";
import { createWorker } from "../../src/runtime/worker.js";
import { storeUri } from "../helpers/db.js";
import { EMPTY_CONNECTORS } from "../helpers/empty-connectors.js";
import { waitFor } from "../helpers/wait-for.js";
import { cart, installJobs, merchant } from "../helpers/worker-jobs.js";

// The timeout only ends a hang; the waits inside are for conditions.
describe("poll gate and idle runs", { timeout: 300_000 }, () => {
  let client: MongoClient;
  let db: Db;
  const seen: string[] = [];
  beforeAll(async () => {
    client = new MongoClient(storeUri(), { monitorCommands: true });
    client.on("commandStarted", (e) =>
      seen.push(
        e.command.comment === GATE_COMMENT ? "gate" : `${e.commandName} ${String(e.command[e.commandName])}`,
      ),
    );
    await client.connect();
    db = client.db(`gate_${randomBytes(4).toString("hex")}`);
    await installJobs(db, [merchant("m1", [cart("A", "m1")])]);
  });
  afterAll(async () => {
    await db?.dropDatabase().catch(() => {});
    await client?.close();
  });

  const count = (what: string) => seen.filter((s) => s === what).length;

  it("polls with one read per name while nothing is due, and still runs a job another process makes due", async () => {
    const worker = createWorker(db, { connectors: EMPTY_CONNECTORS, owner: "gated", processEvery: 100 });
    await worker.start();
    try {
      seen.length = 0;
      await waitFor("three idle poll rounds of the 8 names", () => count("gate") >= 24);
      expect(count(`findAndModify ${JOBS_COLLECTION}`)).toBe(0);

      const id = new ObjectId(jobIdHex("m1/A/orderDownload"));
      await db.collection(JOBS_COLLECTION).updateOne({ _id: id }, { $set: { nextRunAt: new Date() } });
      await waitFor(
        "the due job to run",
        async () => !!(await db.collection(JOBS_COLLECTION).findOne({ _id: id }))?.lastFinishedAt,
      );
    } finally {
      await worker.stop(5_000);
    }
  });

  it("polls every name with a lock query when the gate is off (Agenda's own polling)", async () => {
    const worker = createWorker(db, {
      connectors: EMPTY_CONNECTORS,
      owner: "ungated",
      processEvery: 100,
      gatePolls: false,
    });
    await worker.start();
    try {
      seen.length = 0;
      await waitFor("lock queries", () => count(`findAndModify ${JOBS_COLLECTION}`) >= 8);
      expect(count("gate")).toBe(0);
    } finally {
      await worker.stop(5_000);
    }
  });

  it("keeps the run's record on its released lease in the release's one update; the sweep skips it", async () => {
    const worker = createWorker(db, { connectors: EMPTY_CONNECTORS, owner: "record" });
    const spec = await loadSpec(db, "m1/inventory");
    if (!spec) throw new Error("no job");
    seen.length = 0;
    await runKey(worker.ctx, spec);
    expect(count(`update ${LOCKS}`)).toBe(2); // take, release with the record
    expect(count(`delete ${LOCKS}`)).toBe(0);
    const lease = await db.collection(LOCKS).findOne({ _id: runLockName(spec.key) as never });
    expect(lease?.holder).toBeNull();
    expect((await loadRun(db, spec.key))?.lastOutcome).toMatchObject({ pages: 1, stored: 0 });
    expect(await expiredLeases(db, runLockName(""), new Date(Date.now() + 3_600_000))).toEqual([]);
    expect(await runKey(worker.ctx, spec)).not.toBe("busy"); // a released lease is free
  });

  it("writes no cursor when an empty pull leaves it where it was", async () => {
    const worker = createWorker(db, { connectors: EMPTY_CONNECTORS, owner: "cursor" });
    const spec = await loadSpec(db, "m1/shippingConfirmations");
    if (!spec) throw new Error("no job");
    await runKey(worker.ctx, spec);
    const first = await db.collection(CURSORS).findOne({ _id: spec.key as never });
    expect(first?.cursor).toBe("c1");
    seen.length = 0;
    await runKey(worker.ctx, spec);
    expect(count(`update ${CURSORS}`)).toBe(0);
    expect((await db.collection(CURSORS).findOne({ _id: spec.key as never }))?.updatedAt).toEqual(
      first?.updatedAt,
    );
  });
});
