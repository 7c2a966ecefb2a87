// Order placed → WMS received, with and without carts' webhooks, in one run, on the store
// (MONGODB_URI, else the embedded FerretDB). A local hub on 127.0.0.1 (test/helpers/fake-hub-server.ts)
// plays two carts and the WMS; the WMS timestamps each order as it accepts it.
//  - "webhook" cart: placing an order also POSTs the signed webhook to schedsync's HTTP server
//    (src/server/app.ts, as `start` runs it), which triggers the cart's orderDownload at once.
//  - "baseline" cart: the same orders, at the same moments, pulled by the periodic download only.
// Both carts download every 1m (the webhook cart's is its safety net); both merchants deliver with
// Automatic at the production defaults (window 2 s, poll 1 s). Goal: webhook p95 ≤ 5 s.
// Run: npm run bench -- placement   (BENCH_PLACEMENT_ORDERS, BENCH_PLACEMENT_GAP_MS)
import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { createConnectorFactory } from "../src/connectors/index.js";
import type { Order } from "../src/connectors/port.js";
import { triggerOnDemand } from "../src/runtime/trigger.js";
import { createWorker } from "../src/runtime/worker.js";
import type { ConnectionSpec, Frequency } from "../src/schedule/model.js";
import { DEFAULT_AUTOMATIC_MAX_BATCH, DEFAULT_AUTOMATIC_WINDOW_MS } from "../src/schedule/model.js";
import { startServer } from "../src/server/app.js";
import {
  CART_HOOK_WINDOW_MS,
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signedPayload,
  TIMESTAMP_HEADER,
} from "../src/server/cart-hooks.js";
import { sign } from "../src/server/webhook.js";
import { openStore } from "../src/store/index.js";
import { startFakeHub } from "../test/helpers/fake-hub-server.js";
import { auto, cart, every5m, installJobs, merchant } from "../test/helpers/worker-jobs.js";

const ORDERS = Number(process.env.BENCH_PLACEMENT_ORDERS ?? 60);
/** Mean gap between two placements (ms); each gap is drawn uniformly from 0..2×mean. */
const GAP_MS = Number(process.env.BENCH_PLACEMENT_GAP_MS ?? 2_000);
const EVERY_1M: Frequency = { kind: "every", ms: 60_000, text: "1m" };
const TOKEN = "bench-token";
const SECRET = randomBytes(16).toString("hex");

const progress = (msg: string) => process.stderr.write(`[placement] ${msg}\n`);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const orderIn = (cartId: string, n: number): Order => ({
  externalId: String(n),
  cartId,
  lines: [{ sku: `SKU-${n % 20}`, qty: 1 }],
  shipTo: { name: `Buyer ${n}`, city: "Lyon", country: "FR" },
  placedAt: new Date().toISOString(),
});

export async function benchPlacement(): Promise<{ name: string; lines: string[] }> {
  const received = new Map<string, number>();
  const hub = await startFakeHub({
    token: TOKEN,
    onWmsOrder: (o) => {
      const id = `${o.cartId}/${o.externalId}`;
      if (!received.has(id)) received.set(id, Date.now());
    },
  });
  const env = { BENCH_HUB_TOKEN: TOKEN, BENCH_CART_HOOK_SECRET: SECRET };
  const http = (baseUrl: string, hook = false): ConnectionSpec => ({
    type: "http",
    baseUrl,
    tokenEnv: "BENCH_HUB_TOKEN",
    ...(hook ? { webhook: { secretEnv: "BENCH_CART_HOOK_SECRET" } } : {}),
  });
  const store = await openStore({ dbName: `bench_place_${randomBytes(4).toString("hex")}` });
  const db = store.db;
  const delivery = auto(DEFAULT_AUTOMATIC_WINDOW_MS, DEFAULT_AUTOMATIC_MAX_BATCH);
  const services = { orderDelivery: delivery, shippingConfirmations: every5m, inventory: every5m };
  const off: Frequency = { kind: "off" };
  const cartServices = { orderDownload: EVERY_1M, shipmentUpload: off, inventoryUpload: off };
  await installJobs(db, [
    merchant(
      "hooked",
      [cart("webhook", "hooked", cartServices, http(hub.cartUrl("webhook"), true))],
      services,
      http(hub.wmsUrl),
    ),
    merchant(
      "polled",
      [cart("baseline", "polled", cartServices, http(hub.cartUrl("baseline")))],
      services,
      http(hub.wmsUrl),
    ),
  ]);
  // The periodic downloads run from the next minute on, as apply would arm them.
  const nextMinute = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
  await db
    .collection("agendaJobs")
    .updateMany({ name: "schedsync:orderDownload" }, { $set: { nextRunAt: nextMinute } });
  const worker = createWorker(db, {
    connectors: createConnectorFactory({ env }),
    owner: "bench",
    log: pino({ level: process.env.BENCH_LOG ?? "silent" }, pino.destination(2)),
  });
  const log = pino({ level: "silent" });
  const server = await startServer(
    {
      db,
      storeUri: "bench",
      reconcile: async () => ({ outcome: "in-sync", revision: "bench" }),
      log,
      env,
      triggerDownload: (spec) => triggerOnDemand(worker.ctx, spec, CART_HOOK_WINDOW_MS),
    },
    { host: "127.0.0.1", port: 0 },
  );
  const placed = new Map<string, number>();
  const hookFailures: number[] = [];
  const hooks: Promise<void>[] = [];
  const notify = async (n: number) => {
    const body = JSON.stringify({ id: n, event: "orders/create" });
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${server.url}hooks/carts/hooked/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [TIMESTAMP_HEADER]: ts,
        [DELIVERY_HEADER]: randomUUID(),
        [SIGNATURE_HEADER]: sign(SECRET, signedPayload(ts, Buffer.from(body))),
      },
      body,
    });
    await res.text();
    if (res.status !== 202) hookFailures.push(res.status);
  };
  const lines: string[] = [];
  try {
    await worker.start();
    progress(`placing ${ORDERS} orders, one every ~${GAP_MS} ms, on both carts`);
    for (let n = 1; n <= ORDERS; n++) {
      const now = Date.now();
      hub.cart("webhook").addOrders([orderIn("webhook", n)]);
      hub.cart("baseline").addOrders([orderIn("baseline", n)]);
      placed.set(`webhook/${n}`, now);
      placed.set(`baseline/${n}`, now);
      hooks.push(notify(n));
      await sleep(Math.random() * 2 * GAP_MS);
    }
    await Promise.all(hooks);
    progress("all placed; waiting for the WMS (the baseline waits for its next download)");
    const deadline = Date.now() + 300_000;
    while (received.size < placed.size) {
      if (Date.now() > deadline)
        throw new Error(`only ${received.size}/${placed.size} orders reached the WMS in 5 min`);
      await sleep(200);
    }
    const latencies = (cartId: string) =>
      [...placed]
        .filter(([id]) => id.startsWith(`${cartId}/`))
        .map(([id, at]) => (received.get(id) ?? Number.NaN) - at)
        .sort((a, b) => a - b);
    const hooked = latencies("webhook");
    const polled = latencies("baseline");
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const row = (name: string, l: number[]) =>
      `  ${name}: p50 ${s(pct(l, 50))}, p95 ${s(pct(l, 95))}, max ${s(l[l.length - 1] ?? 0)}`;
    lines.push(
      `${ORDERS} orders placed on each cart over ${((Date.now() - (placed.get("webhook/1") ?? 0)) / 1000).toFixed(0)} s ` +
        `(gaps 0–${(2 * GAP_MS) / 1000} s); orderDownload every 1m on both; Automatic delivery, window ` +
        `${DEFAULT_AUTOMATIC_WINDOW_MS / 1000} s, poll 1 s; order placed → WMS received:`,
      row("webhook + every 1m", hooked),
      row("every 1m only     ", polled),
      `  ratio baseline / webhook: p50 ${(pct(polled, 50) / pct(hooked, 50)).toFixed(1)}×, ` +
        `p95 ${(pct(polled, 95) / pct(hooked, 95)).toFixed(1)}× (goal: webhook p95 ≤ 5 s); ` +
        `webhooks not accepted: ${hookFailures.length}`,
    );
  } finally {
    await server.close();
    await worker.stop(10_000);
    await hub.close();
    await db.dropDatabase().catch(() => {});
    await store.close();
  }
  return { name: "placement", lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchPlacement();
  for (const l of r.lines) console.log(l);
}
