// The first-run demo (`npm start`): this repo's example schedules/, applied from a real git repo to
// the real store and run by the real worker with sandbox connectors kept in that store. Waits for
// conditions only; how long the demo takes is a figure in docs/workers.md, not an assertion here.
import { cp } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaffold } from "../../src/config/scaffold.js";
import {
  createCartConnector,
  createConnectorFactory,
  createWmsConnector,
  storeJournal,
} from "../../src/connectors/index.js";
import { SANDBOX_JOURNAL } from "../../src/connectors/sandbox-journal.js";
import { reconcile } from "../../src/reconcile/engine.js";
import { cols } from "../../src/records/index.js";
import { runNow } from "../../src/runtime/manual.js";
import { createWorker, type Worker } from "../../src/runtime/worker.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";
import { waitFor } from "../helpers/wait-for.js";
import { FAST_WORKER } from "../helpers/worker-jobs.js";

const ROOT = resolve(".");
/** The example runs every minute at best (cron); a busy 2-core machine gets ample room. */
const DEMO_WAIT_MS = 300_000;

let t: TestDb;
let repo: TempRepo;
let worker: Worker | undefined;

beforeAll(async () => {
  t = await testDb("demo");
  repo = await tempRepo();
  await cp(join(ROOT, "schedules"), join(repo.dir, "schedules"), { recursive: true });
  await repo.commit({}, "example schedules");
});

afterAll(async () => {
  await worker?.stop(5_000);
  await t?.close();
  await repo?.remove();
});

type PushResult = { ok: boolean; retryable?: boolean; error?: string };

async function pushResults(): Promise<PushResult[]> {
  const docs = await t.db.collection(SANDBOX_JOURNAL).find({ "entry.op": "push" }).toArray();
  return docs.flatMap((d) => d.entry.results as PushResult[]);
}

const delivered = (service: string) =>
  cols(t.db).deliveries.countDocuments({ service, state: "delivered" } as never);

// The timeout only ends a hang; the waits inside are for conditions.
describe("the example schedules with the sandbox", { timeout: 300_000 }, () => {
  it(
    "deliver orders, confirm tracking and upload inventory, with transient failures and one held order",
    async () => {
      const applied = await reconcile({ db: t.db, repo: repo.dir, ref: "HEAD" });
      expect(applied.outcome).toBe("applied");
      const connectors = createConnectorFactory({ sandboxJournal: storeJournal(t.db) });
      worker = createWorker(t.db, { connectors, ...FAST_WORKER });
      await worker.start();
      for (const service of ["orderDelivery", "shipmentUpload", "inventoryUpload"]) {
        await waitFor(
          `${service}: delivered records`,
          async () => (await delivered(service)) > 0,
          DEMO_WAIT_MS,
        );
      }
      // The sandboxes' answers, as their journal recorded them: transient failures and one hold.
      // Both are waited for: either can come first.
      let results: PushResult[] = [];
      await waitFor(
        "the held order and a transient (retryable) failure",
        async () => {
          results = await pushResults();
          return (
            results.some((r) => !r.ok && r.retryable === false) && results.some((r) => !r.ok && r.retryable)
          );
        },
        DEMO_WAIT_MS,
      );
      expect(results.filter((r) => r.ok).length).toBeGreaterThan(0);
      const held = results.filter((r) => !r.ok && r.retryable === false);
      expect(held).toHaveLength(1);
      expect(held[0]?.error).toMatch(/on hold.*resend/);
      await worker.stop(10_000);
      worker = undefined;
    },
    3 * DEMO_WAIT_MS,
  );

  it("keeps the sandbox across a restart: the same orders and shipments, nothing pulled twice", async () => {
    // A new process: a new journal object, so no sandbox instance is reused from memory.
    const journal = storeJournal(t.db);
    const cart = createCartConnector(
      { type: "sandbox", orderRatePerMinute: 4, failureRate: 0.02, seed: 11 },
      { merchantId: "acme", cartId: "amazon", sandboxJournal: journal },
    );
    const orders = (await cart.pullOrders(undefined, 10_000)).orders;
    const stored = await cols(t.db).orders.find({ merchantId: "acme", cartId: "amazon" }).toArray();
    expect(stored.length).toBeGreaterThan(0);
    const byId = new Map(orders.map((o) => [o.externalId, o]));
    for (const s of stored) expect(byId.get(s.externalId)).toEqual(s.payload);

    const wms = createWmsConnector(
      { type: "sandbox", failureRate: 0.03, seed: 7 },
      { merchantId: "acme", sandboxJournal: journal },
    );
    const shipments = (await wms.pullShipments(undefined, 10_000)).shipments.map((s) => s.id);
    const confirmed = await cols(t.db).shipments.find({ merchantId: "acme" }).toArray();
    expect(confirmed.length).toBeGreaterThan(0);
    for (const s of confirmed) expect(shipments).toContain(s.externalId);

    // `schedsync run` in its own process: the same sandbox, so the cursor goes on where it was.
    const connectors = createConnectorFactory({ sandboxJournal: storeJournal(t.db) });
    const report = await runNow(t.db, "acme/amazon/orderDownload", { connectors, ...FAST_WORKER });
    if (report === "busy") throw new Error("busy");
    const r = report as unknown as { pulled: number; stored: number };
    expect(r.stored).toBe(r.pulled);
    const after = await cols(t.db).orders.countDocuments({ merchantId: "acme", cartId: "amazon" });
    expect(after).toBe(stored.length + r.stored);
  });

  it("the init scaffold's sandbox brings orders at its first pull and delivers them", async () => {
    const db = t.client.db(`${t.dbName}_init`);
    const initRepo = await tempRepo();
    try {
      await scaffold(join(initRepo.dir, "schedules"));
      await initRepo.commit({}, "schedsync init");
      expect((await reconcile({ db, repo: initRepo.dir, ref: "HEAD" })).outcome).toBe("applied");
      const connectors = createConnectorFactory({ sandboxJournal: storeJournal(db) });
      worker = createWorker(db, { connectors, ...FAST_WORKER });
      await worker.start();
      // As `schedsync run example/web-store/orderDownload` would, without waiting for its schedule.
      const report = await runNow(db, "example/web-store/orderDownload", { connectors, ...FAST_WORKER });
      expect(report).toMatchObject({ pulled: expect.any(Number) });
      expect((report as unknown as { pulled: number }).pulled).toBeGreaterThan(0);
      await waitFor("the scaffold's orders delivered", async () => {
        const n = await cols(db).deliveries.countDocuments({
          service: "orderDelivery",
          state: "delivered",
        } as never);
        return n > 0;
      });
      await worker.stop(10_000);
      worker = undefined;
    } finally {
      await db.dropDatabase().catch(() => {});
      await initRepo.remove();
    }
  });
});
