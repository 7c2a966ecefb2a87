// A worker stopped while a job runs leaves that job unlocked (agenda 6.2.6's stop() keeps the lock
// of running jobs, so after a restart the job waited for lockLifetime, 10 min by default): the next
// worker runs it as soon as it is due.
import { MongoClient, ObjectId } from "mongodb";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorFactory } from "../../src/connectors/factory.js";
import { jobIdHex } from "../../src/jobs/document.js";
import { tryAcquire } from "../../src/platform/lease.js";
import { runLockName } from "../../src/runtime/run-key.js";
import { createWorker } from "../../src/runtime/worker.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { waitFor } from "../helpers/wait-for.js";
import { cart, installJobs, merchant } from "../helpers/worker-jobs.js";

/** Carts whose order pulls block until released; the WMS is empty. */
function gatedConnectors() {
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let pulls = 0;
  const connectors: ConnectorFactory = {
    cart: () => ({
      pullOrders: async () => {
        pulls++;
        if (pulls === 1) await gate;
        return { orders: [], cursor: "", more: false };
      },
      pushShipments: async () => [],
      pushInventory: async () => [],
    }),
    wms: () => ({
      pushOrders: async () => [],
      pullShipments: async () => ({ shipments: [], cursor: "", more: false }),
      pullInventory: async () => ({ levels: [], cursor: "", more: false }),
    }),
  };
  return { connectors, release, pulls: () => pulls };
}

// The timeout only ends a hang; the waits inside are for conditions.
describe("worker restart with a job running", { timeout: 300_000 }, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("restart");
    await installJobs(t.db, [merchant("m1", [cart("A", "m1")])]);
  });
  afterAll(async () => t?.close());

  it("releases the job's lock on stop, so the next worker runs it without waiting for lockLifetime", async () => {
    const id = new ObjectId(jobIdHex("m1/A/orderDownload"));
    const jobs = t.db.collection("agendaJobs");
    const job = () => jobs.findOne({ _id: id });
    await jobs.updateOne({ _id: id }, { $set: { nextRunAt: new Date() } });
    const world = gatedConnectors();
    const opts = { processEvery: 100, runLeaseMs: 3_000 }; // lockLifetime: the 10 min default
    const first = createWorker(t.db, { ...opts, connectors: world.connectors, owner: "first" });
    await first.start();
    await waitFor(
      "the first run to start and lock its job",
      async () => world.pulls() === 1 && !!(await job())?.lockedAt,
    );

    await first.stop(100); // the handler is still blocked in its pull: abandoned, as at process exit
    expect((await job())?.lockedAt ?? null).toBeNull();

    world.release(); // the abandoned handler ends, gives its run lease back, Agenda saves the job
    await waitFor("the abandoned run to end", async () => !!(await job())?.lastFinishedAt);
    await jobs.updateOne({ _id: id }, { $set: { nextRunAt: new Date() } });
    const second = createWorker(t.db, { ...opts, connectors: world.connectors, owner: "second" });
    await second.start();
    try {
      await waitFor("the second worker to run the job", () => world.pulls() >= 2, 60_000);
    } finally {
      await second.stop(5_000);
    }
  });
  it("an exiting stop frees the abandoned run's lease, and its end after the store closed is no failure", async () => {
    await installJobs(t.db, [merchant("m2", [cart("B", "m2")])]);
    const id = new ObjectId(jobIdHex("m2/B/orderDownload"));
    await t.db.collection("agendaJobs").updateOne({ _id: id }, { $set: { nextRunAt: new Date() } });
    const lines: { level: number; msg: string; runLeasesFreed?: number }[] = [];
    const log = pino({ level: "debug" }, { write: (l: string) => lines.push(JSON.parse(l)) });
    // Its own client, closed as a stopping process closes its store.
    const client = await MongoClient.connect(t.uri);
    const world = gatedConnectors();
    const worker = createWorker(client.db(t.dbName), {
      processEvery: 100,
      connectors: world.connectors,
      owner: "exiting",
      log,
    });
    await worker.start();
    await waitFor("the run to start", () => world.pulls() === 1);
    await worker.stop(100, { exiting: true });
    expect(await tryAcquire(t.db, runLockName("m2/B/orderDownload"), 1_000)).toBeTruthy();
    await client.close();
    world.release();
    await waitFor("the abandoned run to end", () =>
      lines.some((l) => l.msg === "a run the stop gave up on ended"),
    );
    const warnings = lines.filter((l) => l.level >= 40);
    expect(warnings.map((l) => [l.msg, l.runLeasesFreed])).toEqual([
      ["gave up waiting for running jobs; their job locks are cleared", 1],
    ]);
  });
});
