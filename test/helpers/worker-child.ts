// A worker process for multi-process tests: `tsx worker-child.ts <dbUri> <pushUrl> <options-json>`.
// Its connectors POST every push to <pushUrl>/<destination> as { key, ids, pid } and take the
// JSON answer ({ ok, failed }) as the per-record result. SIGTERM stops it gracefully.

import type { ConnectorFactory } from "../../src/connectors/factory.js";
import type { RecordResult } from "../../src/connectors/port.js";
import type { BatchResult } from "../../src/records/index.js";
import { runWorkerChild } from "./worker-main.js";

const [dbUri, pushUrl, json] = process.argv.slice(2);
if (!dbUri || !pushUrl) throw new Error("usage: worker-child <dbUri> <pushUrl> [options-json]");

/** Posts the batch's record ids; the answer's ok ids are acknowledged, the rest rejected as it says. */
async function post(to: string, batch: { id: string }[], key: string): Promise<RecordResult[]> {
  const res = await fetch(`${pushUrl}/${encodeURIComponent(to)}`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ key, ids: batch.map((r) => r.id), pid: process.pid }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const answer = (await res.json()) as BatchResult;
  return [
    ...answer.ok.map((id): RecordResult => ({ id, ok: true })),
    ...answer.failed.map(
      (f): RecordResult => ({ id: f.id, ok: false, error: f.error, retryable: f.retryable ?? true }),
    ),
  ];
}

/** The last page of an empty source. */
const end = { cursor: "", more: false };
const connectors: ConnectorFactory = {
  cart: (_c, who) => ({
    pullOrders: async () => ({ ...end, orders: [] }),
    pushShipments: (batch, key) => post(`${who.merchantId}/${who.cartId}:ship`, batch, key),
    pushInventory: (batch, key) => post(`${who.merchantId}/${who.cartId}:inv`, batch, key),
  }),
  wms: (_c, who) => ({
    pushOrders: (batch, key) => post(`${who.merchantId}/wms`, batch, key),
    pullShipments: async () => ({ ...end, shipments: [] }),
    pullInventory: async () => ({ ...end, levels: [] }),
  }),
};

await runWorkerChild(dbUri, connectors, json, `child-${process.pid}`);
