// Store commands per delivered record on the push path (claim → send → record), counted with the
// driver's command monitoring: 200 pending orders delivered by one periodic orderDelivery run, at
// batch sizes 1, 10, 100 and 200 (the run's own lease and bookkeeping included).

import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import type { ConnectorFactory } from "../src/connectors/factory.js";
import type { RecordResult } from "../src/connectors/port.js";
import { loadSpec } from "../src/jobs/repository.js";
import type { Order } from "../src/records/index.js";
import { storeOrders } from "../src/records/index.js";
import { runKey } from "../src/runtime/run-key.js";
import { createWorker } from "../src/runtime/worker.js";
import { cart, every5m, installJobs, merchant } from "../test/helpers/worker-jobs.js";

const RECORDS = 200;

/** Connectors that acknowledge every record at once and pull nothing: the store is all that is measured. */
const ackAll = async (batch: { id: string }[]): Promise<RecordResult[]> =>
  batch.map(({ id }) => ({ id, ok: true }));
const end = { cursor: "", more: false };
export const CONNECTORS: ConnectorFactory = {
  cart: () => ({
    pullOrders: async () => ({ ...end, orders: [] }),
    pushShipments: ackAll,
    pushInventory: ackAll,
  }),
  wms: () => ({
    pushOrders: ackAll,
    pullShipments: async () => ({ ...end, shipments: [] }),
    pullInventory: async () => ({ ...end, levels: [] }),
  }),
};

export async function recordsPath(uri: string): Promise<string[]> {
  const client = new MongoClient(uri, { monitorCommands: true });
  let counting = false;
  const byCommand = new Map<string, number>();
  client.on("commandStarted", (e) => {
    if (counting) byCommand.set(e.commandName, (byCommand.get(e.commandName) ?? 0) + 1);
  });
  await client.connect();
  const db = client.db(`fleet_records_${randomBytes(3).toString("hex")}`);
  const lines = [`push path: store commands per delivered record (${RECORDS} orders, one periodic run)`];
  try {
    for (const batch of [1, 10, 100, 200]) {
      const m = `r${batch}`;
      await installJobs(db, [merchant(m, [cart("a", m)], { orderDelivery: every5m })]);
      const orders: Order[] = Array.from({ length: RECORDS }, (_, i) => ({
        externalId: `${i}`,
        cartId: "a",
        lines: [{ sku: "SKU-1", qty: 1 }],
        shipTo: {},
        placedAt: new Date(0).toISOString(),
      }));
      await storeOrders(db, m, "a", orders);
      const worker = createWorker(db, {
        connectors: CONNECTORS,
        owner: "bench",
        periodicBatch: batch,
        maxBatchesPerRun: 1_000,
      });
      const spec = await loadSpec(db, `${m}/orderDelivery`);
      if (!spec) throw new Error("no job");
      byCommand.clear();
      counting = true;
      const r = (await runKey(worker.ctx, spec)) as { delivered?: number };
      counting = false;
      if (r.delivered !== RECORDS) throw new Error(`delivered ${JSON.stringify(r)}`);
      const total = [...byCommand.values()].reduce((a, b) => a + b, 0);
      const detail = [...byCommand.entries()].map(([k, v]) => `${k} ${v}`).join(", ");
      lines.push(
        `  batch ${batch}: ${(total / RECORDS).toFixed(2)} commands per record (${total}: ${detail})`,
      );
    }
  } finally {
    await db.dropDatabase().catch(() => {});
    await client.close();
  }
  return lines;
}
