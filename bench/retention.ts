// Throughput after many delivered records (issue 16, "within 20 % of a fresh store"): one worker
// delivers BENCH_RETENTION_PENDING new orders by one periodic orderDelivery run on
//   fresh  a new database;
//   off    a database seeded with BENCH_RETENTION_RECORDS delivered orders whose deliveries are
//          in the hot collection (retention off);
//   on     the same records with their deliveries archived (retention on: the layout the retention
//          step leaves), in the same database after `off`;
// then `fresh` again; and reports records/s and the ratios to the mean of the two fresh runs. Seeding is bulk inserts in the stored layout
// (orders and deliveries as storeOrders and completeBatch leave them, delivered 30 days ago); its
// rate is printed, and so is the rate of the retention step itself on a sample.
// Env: BENCH_RETENTION_RECORDS (1,000,000), BENCH_RETENTION_PENDING (1,000),
// BENCH_RETENTION_BATCH (periodic batch size, 50), MONGODB_URI (default: an embedded FerretDB).

import { randomBytes } from "node:crypto";
import { type Db, MongoClient } from "mongodb";
import { loadSpec } from "../src/jobs/repository.js";
import {
  ARCHIVE,
  archiveDelivered,
  cols,
  countStates,
  type DeliveryDoc,
  deliveryId,
  ensureRecordIndexes,
  listDeliveries,
  type Order,
  type OrderDoc,
  orderId,
  storeOrders,
} from "../src/records/index.js";
import { runKey } from "../src/runtime/run-key.js";
import { createWorker } from "../src/runtime/worker.js";
import { cart, every5m, installJobs, merchant } from "../test/helpers/worker-jobs.js";
import { CONNECTORS } from "./fleet-records.js";
import { withBenchStore } from "./lib/store.js";

const RECORDS = Number(process.env.BENCH_RETENTION_RECORDS ?? 1_000_000);
const PENDING = Number(process.env.BENCH_RETENTION_PENDING ?? 1_000);
const BATCH = Number(process.env.BENCH_RETENTION_BATCH ?? 50);
/** Merchants the seeded records belong to; the measured merchant is one of them. */
const MERCHANTS = 1_000;
const CHUNK = 1_000;
const SAMPLE = 5_000;
const DAY_MS = 86_400_000;

const progress = (line: string) => process.stderr.write(`[retention] ${line}\n`);

const anOrder = (externalId: string): Order => ({
  externalId,
  cartId: "a",
  lines: [{ sku: "SKU-1", qty: 1 }],
  shipTo: { name: "Buyer", country: "FR" },
  placedAt: new Date(0).toISOString(),
});

/** Seeded record i: an order of merchant m<i % MERCHANTS>, delivered 30 days ago. */
function seeded(i: number, now: number): { order: OrderDoc; delivery: DeliveryDoc } {
  const merchantId = `m${i % MERCHANTS}`;
  const externalId = `old-${i}`;
  const at = new Date(now - 30 * DAY_MS + i);
  const _id = orderId(merchantId, "a", externalId);
  return {
    order: {
      _id,
      kind: "order",
      merchantId,
      cartId: "a",
      externalId,
      status: "at_wms",
      payload: anOrder(externalId),
      createdAt: at,
      updatedAt: at,
    },
    delivery: {
      _id: deliveryId(_id, "orderDelivery", null),
      recordId: _id,
      kind: "order",
      service: "orderDelivery",
      merchantId,
      cartId: null,
      state: "delivered",
      attempts: 1,
      deliveredAt: at,
      lastAttemptAt: at,
      createdAt: at,
      updatedAt: at,
    },
  };
}

/** Bulk inserts of the seeded records: orders and/or their deliveries into `into`. */
async function seed(
  db: Db,
  what: { orders: boolean; deliveriesInto?: string },
  now: number,
): Promise<string> {
  const t0 = Date.now();
  for (let i = 0; i < RECORDS; i += CHUNK) {
    const docs = Array.from({ length: Math.min(CHUNK, RECORDS - i) }, (_, k) => seeded(i + k, now));
    if (what.orders) await cols(db).orders.insertMany(docs.map((d) => d.order));
    if (what.deliveriesInto)
      await db.collection<DeliveryDoc>(what.deliveriesInto).insertMany(docs.map((d) => d.delivery));
    if ((i / CHUNK) % 100 === 99)
      progress(`seeded ${i + CHUNK} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const secs = (Date.now() - t0) / 1000;
  const n = RECORDS * (what.orders ? 1 : 0) + (what.deliveriesInto ? RECORDS : 0);
  return `${n.toLocaleString("en")} documents in ${secs.toFixed(0)} s (${Math.round(n / secs)} documents/s)`;
}

interface Measured {
  recordsPerSec: number;
  storeMs: number;
}

/** Stores PENDING new orders for m0 (timed: the pull side's writes) and delivers them by one run. */
async function measure(db: Db, tag: string): Promise<Measured> {
  await installJobs(db, [merchant("m0", [cart("a", "m0")], { orderDelivery: every5m })]);
  const orders = Array.from({ length: PENDING }, (_, i) => anOrder(`${tag}-${i}`));
  const t0 = Date.now();
  for (let i = 0; i < orders.length; i += 100) await storeOrders(db, "m0", "a", orders.slice(i, i + 100));
  const storeMs = Date.now() - t0;
  const worker = createWorker(db, {
    connectors: CONNECTORS,
    owner: "bench",
    periodicBatch: BATCH,
    maxBatchesPerRun: 1_000_000,
    retentionMs: Number.POSITIVE_INFINITY,
  });
  const spec = await loadSpec(db, "m0/orderDelivery");
  if (!spec) throw new Error("no job");
  const t1 = Date.now();
  const r = (await runKey(worker.ctx, spec)) as { delivered?: number };
  const secs = (Date.now() - t1) / 1000;
  if (r.delivered !== PENDING) throw new Error(`${tag}: delivered ${JSON.stringify(r)}`);
  progress(`${tag}: ${(PENDING / secs).toFixed(1)} records/s, storing ${storeMs} ms`);
  return { recordsPerSec: PENDING / secs, storeMs };
}

/** What `status` and `records` cost with the archive full: ms per call, one call each. */
async function views(db: Db): Promise<string> {
  const timed = async (what: string, fn: () => Promise<unknown>) => {
    const t0 = Date.now();
    await fn();
    return `${what} ${Date.now() - t0} ms`;
  };
  return [
    await timed("status (all)", () => countStates(db, {})),
    await timed("status --merchant", () => countStates(db, { merchantId: "m1" })),
    await timed("records --merchant", () => listDeliveries(db, { merchantId: "m1" })),
    await timed("records (all)", () => listDeliveries(db, {})),
  ].join(", ");
}

export async function benchRetention(): Promise<{ name: string; lines: string[] }> {
  return withBenchStore(async (uri, label) => {
    const client = await MongoClient.connect(uri);
    const names = [1, 2, 3].map(() => `bench_retention_${randomBytes(3).toString("hex")}`);
    const lines = [
      `${RECORDS.toLocaleString("en")} delivered orders seeded, ${PENDING} pending orders delivered by one run ` +
        `(batch ${BATCH}), one worker, store ${label}`,
    ];
    try {
      const [fresh, full] = names.map((n) => client.db(n)) as [Db, Db];
      await ensureRecordIndexes(fresh);
      await ensureRecordIndexes(full);
      const now = Date.now();
      const a = await measure(fresh, "fresh");
      lines.push(
        `  seeding (orders and hot deliveries): ${await seed(full, { orders: true, deliveriesInto: "deliveries" }, now)}`,
      );
      const off = await measure(full, "off");
      // The retention step itself, on a sample of the seeded deliveries.
      const t0 = Date.now();
      const moved = await archiveDelivered(full, new Date(now - DAY_MS), { maxChunks: SAMPLE / 500 });
      const rate = moved / ((Date.now() - t0) / 1000);
      lines.push(
        `  retention step: ${moved} deliveries archived at ${rate.toFixed(0)}/s (the whole ${RECORDS.toLocaleString("en")}: ~${(RECORDS / rate / 60).toFixed(0)} min)`,
      );
      // The rest as the step leaves it, by bulk inserts: the hot collection keeps only what is
      // younger than the retention (here: nothing seeded), the archive has every delivered one.
      await full.collection(ARCHIVE).drop();
      await full.collection("deliveries").drop();
      await ensureRecordIndexes(client.db(names[1]));
      lines.push(`  seeding (archive): ${await seed(full, { orders: false, deliveriesInto: ARCHIVE }, now)}`);
      const on = await measure(full, "on");
      lines.push(`  views with the archive: ${await views(full)}`);
      // Fresh again, in another new database: the machine's drift over the run shows against it.
      const fresh2 = client.db(names[2] as string);
      await ensureRecordIndexes(fresh2);
      const a2 = await measure(fresh2, "fresh-again");
      const base = (a.recordsPerSec + a2.recordsPerSec) / 2;
      const baseStore = (a.storeMs + a2.storeMs) / 2;
      const row = (tag: string, m: Measured) =>
        `  ${tag.padEnd(22)} ${m.recordsPerSec.toFixed(1).padStart(7)} records/s  ${(m.recordsPerSec / base).toFixed(2)}×  ` +
        `(storing the ${PENDING} orders: ${m.storeMs} ms, ${(m.storeMs / baseStore).toFixed(2)}×)`;
      lines.push(
        row("fresh store", a),
        row("seeded, retention off", off),
        row("seeded, retention on", on),
        row("fresh store, again", a2),
        "  (ratios to the mean of the two fresh runs)",
      );
    } finally {
      for (const n of names)
        await client
          .db(n)
          .dropDatabase()
          .catch(() => {});
      await client.close();
    }
    return { name: "retention", lines };
  });
}
