// Automatic latency and push throughput of the workers, through the http connector against a local
// fake hub (test/helpers/fake-hub-server.ts), on the store (MONGODB_URI, else the embedded FerretDB).
//  1. Latency: orders arrive on a cart at a steady rate; each download run (http pull) stores them
//     and triggers the merchant's Automatic order delivery with the production defaults (window 2 s,
//     maxBatch 500, poll 1 s). Arrival = when the order is stored (its delivery's createdAt);
//     delivered = when the WMS's acknowledgement is recorded (deliveredAt). Goal p95 ≤ 5 s.
//  2. Throughput: a backlog of orders is pushed by one orderDelivery run (claim, send, record per
//     batch), then the very same batches (same bodies) are POSTed raw with fetch, one after the other
//     as the run does: the ratio is what claiming and recording cost on top of HTTP.
// Run: npm run bench -- automatic   (BENCH_AUTO_ORDERS, BENCH_AUTO_RATE, BENCH_TP_ORDERS)
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { createConnectorFactory } from "../src/connectors/index.js";
import type { Order, OrderOut } from "../src/connectors/port.js";
import { loadSpec } from "../src/jobs/repository.js";
import { cols, countStates, storeOrders } from "../src/records/index.js";
import { runKey } from "../src/runtime/run-key.js";
import { createWorker } from "../src/runtime/worker.js";
import type { ConnectionSpec } from "../src/schedule/model.js";
import { DEFAULT_AUTOMATIC_MAX_BATCH, DEFAULT_AUTOMATIC_WINDOW_MS } from "../src/schedule/model.js";
import { openStore } from "../src/store/index.js";
import { startFakeHub } from "../test/helpers/fake-hub-server.js";
import { auto, cart, every5m, installJobs, merchant } from "../test/helpers/worker-jobs.js";

const ORDERS = Number(process.env.BENCH_AUTO_ORDERS ?? 1_200);
/** Orders per second arriving on the cart. */
const RATE = Number(process.env.BENCH_AUTO_RATE ?? 50);
/** Download runs per second (each stores what arrived since the last one). */
const PULLS_PER_SECOND = 4;
const TP_ORDERS = Number(process.env.BENCH_TP_ORDERS ?? 1_000);
const TOKEN = "bench-token";

const orderIn = (cartId: string, n: number): Order => ({
  externalId: String(n),
  cartId,
  lines: [{ sku: `SKU-${n % 20}`, qty: 1 + (n % 3) }],
  shipTo: { name: `Buyer ${n}`, line1: `${n} Bench Road`, city: "Lyon", country: "FR" },
  placedAt: new Date().toISOString(),
});

const progress = (msg: string) => process.stderr.write(`[automatic] ${msg}\n`);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function benchAutomatic(): Promise<{ name: string; lines: string[] }> {
  const hub = await startFakeHub({ token: TOKEN });
  const env = { BENCH_HUB_TOKEN: TOKEN };
  const http = (baseUrl: string): ConnectionSpec => ({ type: "http", baseUrl, tokenEnv: "BENCH_HUB_TOKEN" });
  const store = await openStore({ dbName: `bench_auto_${randomBytes(4).toString("hex")}` });
  const db = store.db;
  const defaults = auto(DEFAULT_AUTOMATIC_WINDOW_MS, DEFAULT_AUTOMATIC_MAX_BATCH);
  await installJobs(db, [
    // "lat": Automatic delivery; "tp": periodic delivery, run by hand for the throughput phase.
    merchant(
      "lat",
      [cart("a", "lat", {}, http(hub.cartUrl("a")))],
      { orderDelivery: defaults },
      http(hub.wmsUrl),
    ),
    merchant(
      "tp",
      [cart("a", "tp", {}, http(hub.cartUrl("tpa")))],
      { orderDelivery: every5m },
      http(hub.wmsUrl),
    ),
  ]);
  const worker = createWorker(db, {
    connectors: createConnectorFactory({ env }),
    owner: "bench",
    // BENCH_LOG=debug shows claimMs / sendMs / recordMs per batch.
    log: pino({ level: process.env.BENCH_LOG ?? "silent" }, pino.destination(2)),
    hooks: { observeAutomaticLatency: () => {}, countTransmission: () => {} },
  });
  const lines: string[] = [];
  try {
    await worker.start();
    progress("store and worker ready");
    lines.push(...(await latency(db, worker, hub)));
    lines.push(...(await throughput(db, worker, hub)));
  } finally {
    await worker.stop(10_000);
    await hub.close();
    await db.dropDatabase().catch(() => {});
    await store.close();
  }
  return { name: "automatic", lines };
}

type Hub = Awaited<ReturnType<typeof startFakeHub>>;
type W = ReturnType<typeof createWorker>;

async function latency(db: W["ctx"]["db"], worker: W, hub: Hub): Promise<string[]> {
  const download = await loadSpec(db, "lat/a/orderDownload");
  if (!download) throw new Error("no download job");
  const pushesBefore = hub.requests.filter((r) => r.path === "/wms/orders").length;
  const perPull = Math.max(1, Math.round(RATE / PULLS_PER_SECOND));
  const t0 = Date.now();
  let n = 0;
  for (let tick = 0; n < ORDERS; tick++) {
    const due = t0 + (tick * 1000) / PULLS_PER_SECOND;
    if (due > Date.now()) await sleep(due - Date.now());
    const batch = Array.from({ length: Math.min(perPull, ORDERS - n) }, () => orderIn("a", ++n));
    hub.cart("a").addOrders(batch);
    const r = await runKey(worker.ctx, download);
    if (r === "busy") throw new Error("download busy");
  }
  const arrivalSecs = (Date.now() - t0) / 1000;
  progress(`latency: ${n} orders stored in ${arrivalSecs.toFixed(1)} s; waiting for delivery`);
  const scope = { service: "orderDelivery" as const, merchantId: "lat", cartId: null };
  const deadline = Date.now() + 300_000;
  while ((await countStates(db, scope)).delivered < ORDERS) {
    if (Date.now() > deadline) throw new Error("latency phase: not every order was delivered in 5 min");
    await sleep(200);
  }
  const ds = await cols(db)
    .deliveries.find(scope, { projection: { createdAt: 1, deliveredAt: 1 } })
    .toArray();
  const lat = ds
    .map((d) => (d.deliveredAt?.getTime() ?? Number.NaN) - d.createdAt.getTime())
    .sort((a, b) => a - b);
  const pushes = hub.requests.filter((r) => r.path === "/wms/orders").length - pushesBefore;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return [
    `latency: ${ds.length} orders arriving at ${(ORDERS / arrivalSecs).toFixed(0)}/s over ${arrivalSecs.toFixed(1)} s ` +
      `(${PULLS_PER_SECOND} http download runs/s), Automatic defaults window ${DEFAULT_AUTOMATIC_WINDOW_MS / 1000} s, ` +
      `maxBatch ${DEFAULT_AUTOMATIC_MAX_BATCH}, poll 1 s`,
    `  arrival → delivered: p50 ${s(pct(lat, 50))}, p95 ${s(pct(lat, 95))}, max ${s(lat[lat.length - 1] ?? 0)} ` +
      `(goal p95 ≤ 5 s); ${pushes} pushes, ${(ds.length / Math.max(1, pushes)).toFixed(0)} orders per push`,
  ];
}

async function throughput(db: W["ctx"]["db"], worker: W, hub: Hub): Promise<string[]> {
  const spec = await loadSpec(db, "tp/orderDelivery");
  if (!spec) throw new Error("no tp job");
  const all = Array.from({ length: TP_ORDERS }, (_, i) => orderIn("a", i));
  for (let i = 0; i < all.length; i += 1_000) await storeOrders(db, "tp", "a", all.slice(i, i + 1_000));
  progress(`throughput: ${TP_ORDERS} orders stored`);
  const before = hub.requests.length;
  const t0 = performance.now();
  const r = await runKey(worker.ctx, spec);
  const runMs = performance.now() - t0;
  if (r === "busy" || (r as { delivered?: number }).delivered !== TP_ORDERS)
    throw new Error(`throughput run: ${JSON.stringify(r)}`);
  const batches = hub.requests.length - before;

  // The same batches again, raw: same order bodies, in the run's batch sizes, one after another.
  const sent = [...hub.wms.orders.accepted.values()].filter((o) => o.id.startsWith("order:tp:"));
  const chunks: OrderOut[][] = [];
  for (let i = 0; i < sent.length; i += DEFAULT_AUTOMATIC_MAX_BATCH)
    chunks.push(sent.slice(i, i + DEFAULT_AUTOMATIC_MAX_BATCH));
  const t1 = performance.now();
  for (const [i, orders] of chunks.entries()) {
    const res = await fetch(`${hub.wmsUrl}/orders`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        "Content-Type": "application/json",
        "Idempotency-Key": `raw-${i}-${randomBytes(4).toString("hex")}`,
      },
      body: JSON.stringify({ orders }),
    });
    if (!res.ok) throw new Error(`raw POST: HTTP ${res.status}`);
    await res.json();
  }
  const rawMs = performance.now() - t1;
  const rate = (ms: number) => `${Math.round(TP_ORDERS / (ms / 1000))} records/s`;
  return [
    `throughput: ${TP_ORDERS} pending orders, one orderDelivery run, ${batches} batches of ≤ ${DEFAULT_AUTOMATIC_MAX_BATCH}`,
    `  worker run (claim + http connector + record): ${(runMs / 1000).toFixed(2)} s, ${rate(runMs)}`,
    `  raw POSTs of the same batches:              ${(rawMs / 1000).toFixed(2)} s, ${rate(rawMs)}`,
    `  ratio worker / raw: ${(runMs / rawMs).toFixed(1)}×`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchAutomatic();
  for (const l of r.lines) console.log(l);
}
