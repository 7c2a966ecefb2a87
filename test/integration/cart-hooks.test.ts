// Carts' order webhooks on the real store over real HTTP on 127.0.0.1: signature, replay, size,
// unknown carts, unset secrets, and a burst that becomes one download.
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorFactory } from "../../src/connectors/index.js";
import { TRIGGER_JOB } from "../../src/jobs/document.js";
import { cols } from "../../src/records/index.js";
import { loadRun } from "../../src/runtime/run-state.js";
import { triggerOnDemand } from "../../src/runtime/trigger.js";
import { createWorker } from "../../src/runtime/worker.js";
import { idleAgenda } from "../../src/server/agendash.js";
import { type RunningServer, startServer } from "../../src/server/app.js";
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signedPayload,
  TIMESTAMP_HEADER,
  warnUnsetCartSecrets,
} from "../../src/server/cart-hooks.js";
import { sign } from "../../src/server/webhook.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type FakeHub, startFakeHub } from "../helpers/fake-hub-server.js";
import { waitFor } from "../helpers/wait-for.js";
import { cart, every5m, FAST_WORKER, installJobs, merchant } from "../helpers/worker-jobs.js";

const SECRET = "cart-hook-secret-value";
const TOKEN = "hub-token";
const env = { SCHEDSYNC_TEST_CART_HOOK: SECRET, SCHEDSYNC_TEST_HUB_TOKEN: TOKEN };
const KEY = "m1/shop/orderDownload";

// The timeout only ends a hang; the waits inside are for conditions.
describe("POST /hooks/carts/<merchant>/<cart>", { timeout: 300_000 }, () => {
  let t: TestDb;
  let hub: FakeHub;
  let srv: RunningServer;
  const agendas: { stop(): Promise<unknown> }[] = [];
  const lines: string[] = [];
  const log = pino(
    { level: "info" },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );

  beforeAll(async () => {
    t = await testDb("carthook");
    hub = await startFakeHub({ token: TOKEN });
    const http = (url: string, secretEnv?: string) => ({
      type: "http",
      baseUrl: url,
      tokenEnv: "SCHEDSYNC_TEST_HUB_TOKEN",
      ...(secretEnv ? { webhook: { secretEnv } } : {}),
    });
    await installJobs(t.db, [
      merchant(
        "m1",
        [
          cart("shop", "m1", {}, http(hub.cartUrl("shop"), "SCHEDSYNC_TEST_CART_HOOK")),
          cart("nosecret", "m1", {}, http(hub.cartUrl("nosecret"), "SCHEDSYNC_TEST_UNSET_HOOK")),
          cart("nohook", "m1", {}, http(hub.cartUrl("nohook"))),
        ],
        { shippingConfirmations: every5m, inventory: every5m },
        http(hub.wmsUrl),
      ),
    ]);
    const agenda = idleAgenda(t.db);
    agendas.push(agenda);
    srv = await startServer(
      {
        db: t.db,
        storeUri: "test",
        reconcile: async () => ({ outcome: "in-sync", revision: "x" }),
        log,
        env,
        maxBodyBytes: 4096,
        triggerDownload: (spec) => triggerOnDemand({ db: t.db, agenda }, spec, 1_000),
      },
      { host: "127.0.0.1", port: 0 },
    );
  });

  afterAll(async () => {
    await srv?.close();
    for (const a of agendas) await a.stop().catch(() => {});
    await hub?.close();
    await t?.close();
  });

  const triggers = () => t.db.collection("agendaJobs").countDocuments({ name: TRIGGER_JOB, "data.key": KEY });

  async function post(
    path: string,
    o: { body?: string; secret?: string; delivery?: string; timestamp?: number } = {},
  ): Promise<{ status: number; text: string }> {
    const body = o.body ?? JSON.stringify({ id: 1 });
    const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
    const res = await fetch(new URL(path, srv.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [TIMESTAMP_HEADER]: ts,
        [DELIVERY_HEADER]: o.delivery ?? randomUUID(),
        [SIGNATURE_HEADER]: sign(o.secret ?? SECRET, signedPayload(ts, Buffer.from(body))),
      },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  it("a good request queues one download of that cart", async () => {
    const r = await post("/hooks/carts/m1/shop");
    expect(r.status).toBe(202);
    expect(JSON.parse(r.text)).toEqual({ queued: KEY });
    expect(await triggers()).toBe(1);
  });

  it("a bad signature is 401 and queues nothing", async () => {
    await t.db.collection("agendaJobs").deleteMany({ name: TRIGGER_JOB });
    expect((await post("/hooks/carts/m1/shop", { secret: "wrong" })).status).toBe(401);
    expect(await triggers()).toBe(0);
  });

  it("a replayed delivery is ignored; an old timestamp is 401", async () => {
    const delivery = randomUUID();
    expect((await post("/hooks/carts/m1/shop", { delivery })).status).toBe(202);
    const again = await post("/hooks/carts/m1/shop", { delivery });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toEqual({ ignored: "replayed delivery" });
    const old = Math.floor(Date.now() / 1000) - 3600;
    expect((await post("/hooks/carts/m1/shop", { timestamp: old })).status).toBe(401);
  });

  it("an oversized body is 413", async () => {
    const r = await post("/hooks/carts/m1/shop", { body: JSON.stringify({ pad: "x".repeat(10_000) }) });
    expect(r.status).toBe(413);
  });

  it("an unknown merchant or cart is 404", async () => {
    expect((await post("/hooks/carts/m1/nope")).status).toBe(404);
    expect((await post("/hooks/carts/nobody/shop")).status).toBe(404);
    expect((await post("/hooks/carts/m1")).status).toBe(404);
  });

  it("a cart without a secret is refused, with a warning that names the cart and not the secret", async () => {
    expect((await post("/hooks/carts/m1/nosecret")).status).toBe(403);
    expect((await post("/hooks/carts/m1/nohook")).status).toBe(403);
    expect(await warnUnsetCartSecrets(t.db, env, log)).toEqual(["m1/nosecret"]);
    const warning = lines.find((l) => l.includes("m1/nosecret"));
    expect(warning).toContain("SCHEDSYNC_TEST_UNSET_HOOK");
    expect(lines.join("")).not.toContain(SECRET);
  });

  it("a burst of webhooks becomes one download, and its orders reach the WMS", async () => {
    await t.db.collection("agendaJobs").deleteMany({ name: TRIGGER_JOB });
    const placed = ["A-1", "A-2", "A-3"].map((externalId) => ({
      externalId,
      cartId: "shop",
      lines: [{ sku: "SKU-1", qty: 1 }],
      shipTo: { name: "Buyer", city: "Lyon", country: "FR" },
      placedAt: new Date().toISOString(),
    }));
    hub.cart("shop").addOrders(placed);
    const answers = await Promise.all(placed.map(() => post("/hooks/carts/m1/shop")));
    answers.push(...(await Promise.all(placed.map(() => post("/hooks/carts/m1/shop")))));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(202));
    expect(await triggers()).toBe(1);

    const downloads = () => hub.requests.filter((r) => r.path.startsWith("/cart/shop/orders")).length;
    expect(downloads()).toBe(0);
    const w = createWorker(t.db, { ...FAST_WORKER, connectors: createConnectorFactory({ env }) });
    agendas.push({ stop: () => w.stop(5_000) });
    await w.start();
    await waitFor("the webhook's download", async () => (await loadRun(t.db, KEY))?.lastFinishedAt != null);
    await waitFor("the orders stored", async () => (await cols(t.db).orders.countDocuments()) === 3);
    await waitFor("the orders at the WMS", () => hub.wms.orders.accepted.size === 3);
    await waitFor("the trigger job done", async () => (await triggers()) === 0);
    expect(downloads()).toBe(1);
  });
});
