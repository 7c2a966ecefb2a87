// Issue 12 §4 and §5: a record the receiver refuses as not retryable is held at once; no trigger,
// cleanup or periodic run sends it again, only resend. Runs made by triggers or `run` show on the
// scheduled job (status lastRunAt). Real http connector against a fake hub on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorFactory } from "../../src/connectors/index.js";
import { TRIGGER_JOB } from "../../src/jobs/document.js";
import { readStatus } from "../../src/reconcile/status.js";
import { cols, type DeliveryDoc } from "../../src/records/index.js";
import { resendAndTrigger, runNow } from "../../src/runtime/manual.js";
import { createWorker, type Worker } from "../../src/runtime/worker.js";
import type { ConnectionSpec } from "../../src/schedule/model.js";
import { recordsCounter } from "../../src/server/record-counts.js";
import { runCli } from "../helpers/cli.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type FakeHub, startFakeHub } from "../helpers/fake-hub-server.js";
import { waitFor } from "../helpers/wait-for.js";
import { auto, cart, every5m, FAST_WORKER, installJobs, merchant, order } from "../helpers/worker-jobs.js";

const TOKEN_ENV = "SCHEDSYNC_HELD_HUB_TOKEN";
const TOKEN = "held-secret";

// The timeout only ends a hang; the waits inside are for conditions.
describe("records refused as not retryable", { timeout: 300_000 }, () => {
  let t: TestDb;
  let hub: FakeHub;
  let w: Worker;
  const options = { ...FAST_WORKER, connectors: createConnectorFactory() };
  const delivery = (recordId: string) => cols(t.db).deliveries.findOne({ recordId });
  const pushesOf = () => hub.requests.filter((r) => r.method === "POST").length;
  const jobRun = async (key: string) =>
    (await readStatus(t.db)).jobs.find((j) => j.key === key)?.lastRunAt ?? null;
  const noTriggers = async () =>
    (await t.db.collection("agendaJobs").countDocuments({ name: TRIGGER_JOB })) === 0;

  beforeAll(async () => {
    process.env[TOKEN_ENV] = TOKEN;
    t = await testDb("held");
    hub = await startFakeHub({ token: TOKEN });
    const http = (baseUrl: string): ConnectionSpec => ({ type: "http", baseUrl, tokenEnv: TOKEN_ENV });
    await installJobs(t.db, [
      merchant(
        "n",
        [cart("x", "n", {}, http(hub.cartUrl("x")))],
        { orderDelivery: auto() },
        http(hub.wmsUrl),
      ),
      merchant(
        "p",
        [cart("y", "p", {}, http(hub.cartUrl("y")))],
        { orderDelivery: every5m },
        http(hub.wmsUrl),
      ),
    ]);
    w = createWorker(t.db, options);
    await w.start();
  });
  afterAll(async () => {
    await w?.stop(5_000);
    await hub?.close();
    await t?.close();
  });

  it("is held at once, shown as held, and left alone by the next trigger and cleanup", async () => {
    hub.failIds.set("order:n:x:1", { error: "bad address", retryable: false });
    hub.cart("x").addOrders([order("x", "1"), order("x", "2")]);
    await runNow(t.db, "n/x/orderDownload", options);
    await waitFor("2 delivered", async () => (await delivery("order:n:x:2"))?.state === "delivered");
    await waitFor("1 held", async () => (await delivery("order:n:x:1"))?.state === "held");
    expect(await delivery("order:n:x:1")).toMatchObject({ attempts: 1, lastError: "bad address" });
    expect(await cols(t.db).orders.findOne({ _id: "order:n:x:1" })).toMatchObject({ status: "error" });
    // §5: the triggered run shows on the Automatic job.
    await waitFor(
      "the triggered run is on the Automatic job",
      async () => (await jobRun("n/orderDelivery")) !== null,
    );

    // The next trigger (new data) and the merchant's cleanup run do not send it again.
    hub.failIds.delete("order:n:x:1"); // would be taken now: only a resend may send it
    const pushes = pushesOf();
    hub.cart("x").addOrders([order("x", "3")]);
    await runNow(t.db, "n/x/orderDownload", options);
    await waitFor("3 delivered", async () => (await delivery("order:n:x:3"))?.state === "delivered");
    expect(pushesOf()).toBe(pushes + 1);
    const before = await jobRun("n/orderDelivery");
    const cleanup = (await runNow(t.db, "n/cleanup", options)) as { triggered: string[] };
    expect(cleanup.triggered).toContain("n/orderDelivery");
    await waitFor(
      "the cleanup's run of orderDelivery",
      async () => (await jobRun("n/orderDelivery")) !== before && (await noTriggers()),
    );
    expect(await jobRun("n/cleanup")).not.toBeNull(); // §5: `run` shows on the cleanup job
    expect(pushesOf()).toBe(pushes + 1);
    expect(await delivery("order:n:x:1")).toMatchObject({ state: "held", attempts: 1 });

    // Visible as held: records, status, the status page's counts.
    const env = { MONGODB_URI: t.dbUri };
    const listed = await runCli(["records", "--status", "held", "--json"], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as DeliveryDoc[]).map((d) => [d.recordId, d.state])).toEqual([
      ["order:n:x:1", "held"],
    ]);
    const status = await runCli(["status", "--json", "--merchant", "n"], { env });
    expect(JSON.parse(status.stdout).records).toMatchObject({ held: 1, delivered: 2, failed: 0 });
    expect(await recordsCounter()(t.db)).toContainEqual({
      kind: "order",
      state: "held",
      merchantId: "n",
      count: 1,
    });

    // Only resend sends it again.
    const r = await resendAndTrigger(t.db, ["order:n:x:1"], options);
    expect(r).toMatchObject({ requeued: 1, triggered: ["n/orderDelivery"] });
    await waitFor(
      "1 delivered after resend",
      async () => (await delivery("order:n:x:1"))?.state === "delivered",
    );
  });

  it("a whole push refused as not retryable (HTTP 400) holds the batch; a 503 only fails it", async () => {
    hub.cart("y").addOrders([order("y", "1")]);
    await runNow(t.db, "p/y/orderDownload", options);
    hub.script.push({ status: 503, body: '{"error":"busy"}' });
    const failed = await runNow(t.db, "p/orderDelivery", options);
    expect(failed).toMatchObject({ failed: 1 });
    expect(failed).not.toHaveProperty("held");
    hub.script.push({ status: 400, body: '{"error":"bad request"}' });
    expect(await runNow(t.db, "p/orderDelivery", options)).toMatchObject({ failed: 0, held: 1 });
    expect(await delivery("order:p:y:1")).toMatchObject({ state: "held", attempts: 2 });
    expect(await runNow(t.db, "p/orderDelivery", options)).toMatchObject({ batches: 0 });
  });
});
