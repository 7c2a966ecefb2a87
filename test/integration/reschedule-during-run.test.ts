// Field case 14 (agenda/agenda#1428): a schedule applied while its job runs survives the end of
// the run, and a nextRunAt that contradicts the job's schedule is drift that apply repairs.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorFactory } from "../../src/connectors/index.js";
import { reconcile } from "../../src/reconcile/engine.js";
import { createWorker, type Worker } from "../../src/runtime/worker.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";
import { waitFor } from "../helpers/wait-for.js";
import { FAST_WORKER } from "../helpers/worker-jobs.js";

const TOKEN_ENV = "SCHEDSYNC_TEST_SLOW_TOKEN";
const KEY = "slowco/shippingConfirmations";

function merchant(port: number, freq: string): string {
  return `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: slowco }
spec:
  timezone: UTC
  services:
    orderDelivery: off
    shippingConfirmations: ${freq}
    inventory: off
  connection: { type: http, baseUrl: "http://127.0.0.1:${port}", tokenEnv: ${TOKEN_ENV} }
`;
}

/** A WMS whose shipments pull answers only when the test releases it. */
function slowWms() {
  let pulled = 0;
  let release: () => void = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const server = createServer((req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && req.url?.startsWith("/shipments")) {
      pulled++;
      void released.then(() => send({ shipments: [], cursor: "c1", more: false }));
    } else send({ levels: [], orders: [], results: [], cursor: "c1", more: false });
  });
  return { server, pulled: () => pulled, release };
}

// The timeout only ends a hang; the waits inside are for conditions.
describe("a schedule changed while its job runs", { timeout: 300_000 }, () => {
  let t: TestDb;
  let repo: TempRepo;
  let wms: ReturnType<typeof slowWms>;
  let port: number;
  let w: Worker | undefined;
  const job = () => t.db.collection("agendaJobs").findOne({ "data.schedsync.key": KEY });

  beforeAll(async () => {
    t = await testDb("resched");
    repo = await tempRepo();
    wms = slowWms();
    await new Promise<void>((r) => wms.server.listen(0, "127.0.0.1", r));
    port = (wms.server.address() as AddressInfo).port;
    process.env[TOKEN_ENV] = "test";
  });
  afterAll(async () => {
    await w?.stop(5_000);
    wms.release();
    await new Promise((r) => (wms.server as Server).close(r));
    delete process.env[TOKEN_ENV];
    await t.close();
    await repo.remove();
  });

  it("keeps `every: 5m` applied during a daily run: the next run follows the new schedule", async () => {
    // Daily, twelve hours from now: Agenda's next run computed at the run's start is tomorrow's.
    const at = new Date(Date.now() + 12 * 3600_000).toISOString().slice(11, 16);
    await repo.commit({ "schedules/slowco.yaml": merchant(port, `{ at: ["${at}"] }`) });
    await reconcile({ db: t.db, repo: repo.dir });
    // Due now (as at its daily time).
    await t.db
      .collection("agendaJobs")
      .updateOne({ "data.schedsync.key": KEY }, { $set: { nextRunAt: new Date() } });
    w = createWorker(t.db, { ...FAST_WORKER, connectors: createConnectorFactory() });
    await w.start();
    await waitFor("the daily run calls the WMS", () => wms.pulled() > 0);
    expect(Date.parse(String((await job())?.nextRunAt))).toBeGreaterThan(Date.now() + 3600_000);

    await repo.commit({ "schedules/slowco.yaml": merchant(port, "{ every: 5m }") });
    await reconcile({ db: t.db, repo: repo.dir });
    wms.release();
    await waitFor("the run ended", async () => {
      const d = await job();
      return d?.lockedAt == null && d?.lastFinishedAt instanceof Date;
    });
    await waitFor("the next run follows every 5m", async () => {
      const d = await job();
      return d?.nextRunAt instanceof Date && d.nextRunAt.getTime() <= Date.now() + 5 * 60_000 + 5_000;
    });
    const d = await job();
    expect(d?.repeatInterval).toBe("*/5 * * * *");
    const again = await reconcile({ db: t.db, repo: repo.dir, dryRun: true });
    expect(again.plan.summary).toMatchObject({ update: 0, unchanged: 1 });
    await w.stop(5_000);
    w = undefined;
  });

  it("plans a nextRunAt later than the schedule allows, or none, as drift; apply repairs it", async () => {
    const col = t.db.collection("agendaJobs");
    for (const wrong of [new Date(Date.now() + 86_400_000), null]) {
      await col.updateOne({ "data.schedsync.key": KEY }, { $set: { nextRunAt: wrong } });
      const planned = await reconcile({ db: t.db, repo: repo.dir, dryRun: true });
      expect(planned.plan.summary).toMatchObject({ update: 1, unchanged: 0 });
      const change = planned.plan.changes[0];
      expect(change).toMatchObject({ action: "update", key: KEY, reason: "drift", rescheduled: true });
      expect(change?.action === "update" && change.nextRun?.nextRunAt).toEqual(wrong);
      await reconcile({ db: t.db, repo: repo.dir });
      const next = (await job())?.nextRunAt as Date;
      expect(next.getTime()).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
      const after = await reconcile({ db: t.db, repo: repo.dir, dryRun: true });
      expect(after.plan.summary).toMatchObject({ update: 0, unchanged: 1 });
    }
  });
});
