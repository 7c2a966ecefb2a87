// The whole path with the real http connector: YAML in a git repo → reconcile() → jobs → a worker
// (createConnectorFactory) → a fake hub on 127.0.0.1 speaking docs/connector-protocol.md.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorFactory } from "../../src/connectors/index.js";
import { TRIGGER_JOB } from "../../src/jobs/document.js";
import { createMetrics, type TransmissionHooks } from "../../src/platform/metrics.js";
import { reconcile } from "../../src/reconcile/engine.js";
import { cols } from "../../src/records/index.js";
import { resendAndTrigger, runNow } from "../../src/runtime/manual.js";
import { loadRun } from "../../src/runtime/run-state.js";
import { createWorker, type Worker } from "../../src/runtime/worker.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type FakeHub, startFakeHub } from "../helpers/fake-hub-server.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";
import { waitFor } from "../helpers/wait-for.js";

const TOKEN_ENV = "SCHEDSYNC_TEST_HUB_TOKEN";
const TOKEN = "hub-secret";
// Periodic services run only when a test runs them (once a year otherwise).
const YEARLY = '{ cron: "0 0 1 1 *" }';

function schedules(hub: FakeHub): string {
  const http = (url: string) => `{ type: http, baseUrl: "${url}", tokenEnv: ${TOKEN_ENV}, timeoutMs: 5000 }`;
  const merchant = (id: string, delivery: string) => `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: ${id} }
spec:
  timezone: UTC
  services:
    orderDelivery: ${delivery}
    shippingConfirmations: ${YEARLY}
    inventory: ${YEARLY}
  connection: ${http(hub.wmsUrl)}
`;
  const cart = (id: string, merchantId: string, uploads: string) => `apiVersion: schedsync/v1
kind: Cart
metadata: { id: ${id}, merchant: ${merchantId} }
spec:
  services:
    orderDownload: ${YEARLY}
    shipmentUpload: ${uploads}
    inventoryUpload: ${uploads}
  connection: ${http(hub.cartUrl(id))}
`;
  return [
    merchant("m1", "automatic"),
    cart("a", "m1", "automatic"),
    cart("b", "m1", "automatic"),
    merchant("m2", YEARLY),
    cart("c", "m2", "off"),
  ].join("---\n");
}

const order = (cartId: string, externalId: string) => ({
  externalId,
  cartId,
  lines: [{ sku: "SKU-1", qty: 1 }],
  shipTo: { name: "Buyer", city: "Lyon", country: "FR" },
  placedAt: "2024-03-01T10:00:00.000Z",
});

// The timeout only ends a hang; the waits inside are for conditions.
describe("workers with the http connector against a fake hub", { timeout: 300_000 }, () => {
  let t: TestDb;
  let hub: FakeHub;
  let repo: TempRepo;
  let w: Worker;
  const latencies: { seconds: number; service: string }[] = [];
  const counted: { service: string; outcome: string; n: number }[] = [];
  // Records the calls and still feeds a metrics registry (as `start` passes its own).
  const metrics = createMetrics();
  const { hooks: METRIC_HOOKS, transmissionsTotal } = metrics;
  const hooks: TransmissionHooks = {
    observeAutomaticLatency: (seconds, service) => {
      latencies.push({ seconds, service });
      METRIC_HOOKS.observeAutomaticLatency(seconds, service);
    },
    countTransmission: (service, outcome, n) => {
      counted.push({ service, outcome, n });
      METRIC_HOOKS.countTransmission(service, outcome, n);
    },
  };
  const connectors = createConnectorFactory();
  const options = {
    connectors,
    hooks,
    processEvery: 100,
    windowMs: 200,
    batchLeaseMs: 5_000,
    runLeaseMs: 5_000,
    policy: { maxAttempts: 3, maxAgeMs: 86_400_000, retryDelayMs: 0 },
  };

  const run = async (key: string) => {
    for (;;) {
      const r = await runNow(t.db, key, { ...options, owner: "manual" });
      if (r !== "busy") return r as Record<string, unknown>;
      await sleep(50); // a triggered run of the same key holds its lease
    }
  };
  const delivery = (recordId: string, cartId: string | null = null) =>
    cols(t.db).deliveries.findOne({ recordId, cartId });
  const orderStatus = async (id: string) => (await cols(t.db).orders.findOne({ _id: id }))?.status;
  const pendingTriggers = (key: string) =>
    t.db.collection("agendaJobs").countDocuments({ name: TRIGGER_JOB, "data.key": key });

  beforeAll(async () => {
    process.env[TOKEN_ENV] = TOKEN;
    t = await testDb("wh");
    hub = await startFakeHub({ token: TOKEN });
    repo = await tempRepo();
    await repo.commit({ "schedules/shop.yaml": schedules(hub) });
    const r = await reconcile({ db: t.db, repo: repo.dir });
    expect(r.outcome).toBe("applied");
    w = createWorker(t.db, { ...options, owner: "w1" });
    await w.start();
  });
  afterAll(async () => {
    await w?.stop(5_000);
    await hub?.close();
    await repo?.remove();
    await t?.close();
  });

  it("the reconciler made the jobs from the YAML", async () => {
    const keys = await t.db.collection("agendaJobs").distinct("data.schedsync.key");
    expect(keys).toEqual(
      expect.arrayContaining([
        "m1/orderDelivery",
        "m1/a/orderDownload",
        "m1/b/inventoryUpload",
        "m1/cleanup",
      ]),
    );
    expect(keys).not.toContain("m2/c/shipmentUpload"); // off
  });

  it("an order from cart a reaches the WMS automatically and triggers inventory upload on b, not a", async () => {
    hub.cart("a").addOrders([order("a", "1001")]);
    expect(await run("m1/a/orderDownload")).toMatchObject({
      stored: 1,
      triggered: ["m1/orderDelivery", "m1/b/inventoryUpload"],
    });
    await waitFor("order at the WMS", () => hub.wms.orders.accepted.has("order:m1:a:1001"));
    await waitFor("status at_wms", async () => (await orderStatus("order:m1:a:1001")) === "at_wms");
    expect(hub.wms.orders.accepted.get("order:m1:a:1001")).toMatchObject({ externalId: "1001", cartId: "a" });
    await waitFor("inventory upload run on b", async () => !!(await loadRun(t.db, "m1/b/inventoryUpload")));
    expect(await loadRun(t.db, "m1/a/inventoryUpload")).toBeNull();
    // Downloading again stores nothing and triggers nothing.
    expect(await run("m1/a/orderDownload")).toMatchObject({ stored: 0, triggered: [] });
  });

  it("tracking reaches the cart that owns the order", async () => {
    hub.cart("b").addOrders([order("b", "2001")]);
    await run("m1/b/orderDownload");
    await waitFor("2001 at the WMS", () => hub.wms.orders.accepted.has("order:m1:b:2001"));
    hub.wms.addShipments([
      {
        id: "shp-2001",
        orderId: "order:m1:b:2001",
        orderExternalId: "2001",
        cartId: "b",
        carrier: "UPS",
        trackingNumber: "1Z2001",
        shippedAt: "2024-03-02T10:00:00.000Z",
      },
    ]);
    expect(await run("m1/shippingConfirmations")).toMatchObject({
      stored: 1,
      triggered: ["m1/b/shipmentUpload"],
    });
    await waitFor("tracking on cart b", () => hub.cart("b").shipments.accepted.has("ship:m1:shp-2001"));
    expect(hub.cart("b").shipments.accepted.get("ship:m1:shp-2001")).toMatchObject({
      orderExternalId: "2001",
      trackingNumber: "1Z2001",
    });
    expect(hub.cart("a").shipments.accepted.size).toBe(0);
    await waitFor("order confirmed", async () => (await orderStatus("order:m1:b:2001")) === "confirmed");
  });

  it("inventory levels go to every cart of the merchant", async () => {
    hub.wms.addLevels([{ sku: "SKU-1", available: 7, asOf: "2024-03-02T11:00:00.000Z" }]);
    expect(await run("m1/inventory")).toMatchObject({ stored: 1 });
    await waitFor("SKU-1 on a and b", () =>
      ["a", "b"].every((c) => hub.cart(c).inventory.accepted.get("inv:m1:SKU-1")?.available === 7),
    );
  });

  it("Automatic does not retry a failure at once; the next trigger and a cleanup run do", async () => {
    hub.failIds.set("order:m1:a:1002", { error: "unknown sku", retryable: true });
    hub.cart("a").addOrders([order("a", "1002")]);
    await run("m1/a/orderDownload");
    await waitFor("1002 failed", async () => (await delivery("order:m1:a:1002"))?.state === "failed");
    // Nothing waits to send it again: no trigger job for the key, and it stays at one attempt.
    await waitFor("triggers drained", async () => (await pendingTriggers("m1/orderDelivery")) === 0);
    await sleep(500); // several windows and polls: long enough for a wrong immediate retry
    expect(await delivery("order:m1:a:1002")).toMatchObject({ state: "failed", attempts: 1 });
    expect(await delivery("order:m1:a:1002")).toMatchObject({
      lastError: expect.stringContaining("unknown sku"),
    });
    expect(await orderStatus("order:m1:a:1002")).toBe("error");

    // The next trigger (a new order) takes it again.
    hub.cart("a").addOrders([order("a", "1003")]);
    await run("m1/a/orderDownload");
    await waitFor("1003 delivered", async () => (await delivery("order:m1:a:1003"))?.state === "delivered");
    await waitFor("1002 tried again", async () => (await delivery("order:m1:a:1002"))?.attempts === 2);
    expect(await delivery("order:m1:a:1002")).toMatchObject({ state: "failed" });

    // The merchant's cleanup run (as `schedsync run m1/cleanup`) retries it; now the WMS takes it.
    hub.failIds.delete("order:m1:a:1002");
    const cleanup = await run("m1/cleanup");
    expect(cleanup.triggered).toEqual(expect.arrayContaining(["m1/orderDelivery", "m1/a/shipmentUpload"]));
    await waitFor("1002 delivered", async () => (await delivery("order:m1:a:1002"))?.state === "delivered");
    expect(await orderStatus("order:m1:a:1002")).toBe("at_wms");
    expect(hub.wms.orders.accepted.has("order:m1:a:1002")).toBe(true);
  });

  it("a periodic service retries its failures on its next run", async () => {
    hub.failIds.set("order:m2:c:1", { error: "WMS says no", retryable: true });
    hub.cart("c").addOrders([order("c", "1")]);
    expect(await run("m2/c/orderDownload")).toMatchObject({ stored: 1, triggered: [] });
    const latenciesBefore = latencies.length;
    expect(await run("m2/orderDelivery")).toMatchObject({ delivered: 0, failed: 1 });
    hub.failIds.delete("order:m2:c:1");
    expect(await run("m2/orderDelivery")).toMatchObject({ delivered: 1, failed: 0 });
    expect(hub.wms.orders.accepted.has("order:m2:c:1")).toBe(true);
    // Latency is an Automatic figure: a periodic delivery does not feed it.
    expect(latencies.length).toBe(latenciesBefore);
  });

  it("gives up after maxAttempts (skipped); resend brings it back and it is delivered", async () => {
    hub.failIds.set("order:m2:c:2", { error: "bad address", retryable: true });
    hub.cart("c").addOrders([order("c", "2")]);
    await run("m2/c/orderDownload");
    for (let i = 0; i < 3; i++) await run("m2/orderDelivery");
    expect(await delivery("order:m2:c:2")).toMatchObject({ state: "skipped", attempts: 3 });
    expect(await run("m2/orderDelivery")).toMatchObject({ batches: 0 });
    hub.failIds.delete("order:m2:c:2");
    const r = await resendAndTrigger(t.db, ["order:m2:c:2"], options);
    expect(r).toMatchObject({ requeued: 1, unknown: [], triggered: [] }); // periodic: its next run
    expect(await run("m2/orderDelivery")).toMatchObject({ delivered: 1 });
    expect(await delivery("order:m2:c:2")).toMatchObject({ state: "delivered", attempts: 1 });
  });

  it("every push carried an Idempotency-Key and the bearer token from the env var", () => {
    const pushes = hub.requests.filter((r) => r.method === "POST");
    expect(pushes.length).toBeGreaterThan(10);
    for (const p of pushes) {
      expect(p.idempotencyKey, p.path).toMatch(/^[0-9a-f-]{36}$/);
      expect(p.authorization).toBe(`Bearer ${TOKEN}`);
    }
    for (const g of hub.requests.filter((r) => r.method === "GET")) {
      expect(g.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it("fed the metrics hooks: transmissions by outcome, and Automatic latency per service", () => {
    const sum = (service: string, outcome: string) =>
      counted.filter((c) => c.service === service && c.outcome === outcome).reduce((s, c) => s + c.n, 0);
    expect(sum("orderDelivery", "delivered")).toBeGreaterThanOrEqual(6);
    expect(sum("orderDelivery", "failed")).toBeGreaterThanOrEqual(3);
    expect(sum("orderDelivery", "skipped")).toBe(1);
    expect(sum("shipmentUpload", "delivered")).toBe(1);
    expect(transmissionsTotal.get({ service: "orderDelivery", outcome: "delivered" })).toBe(
      sum("orderDelivery", "delivered"),
    );
    const services = new Set(latencies.map((l) => l.service));
    expect([...services].sort()).toEqual(["inventoryUpload", "orderDelivery", "shipmentUpload"]);
    for (const l of latencies) expect(Number.isFinite(l.seconds) && l.seconds >= 0).toBe(true);
  });
});
