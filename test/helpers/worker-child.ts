// A worker process for multi-process tests: `tsx worker-child.ts <dbUri> <pushUrl> <options-json>`.
// Its connectors POST every push to <pushUrl>/<destination> as { key, ids, pid } and take the
// JSON answer ({ ok, failed }) as the per-record result. SIGTERM stops it gracefully.

import type { PortFactory } from "../../src/connectors/hub-ports.js";
import type { BatchItem, BatchResult } from "../../src/records/index.js";
import { runWorkerChild } from "./worker-main.js";

const [dbUri, pushUrl, json] = process.argv.slice(2);
if (!dbUri || !pushUrl) throw new Error("usage: worker-child <dbUri> <pushUrl> [options-json]");

async function post(to: string, items: BatchItem[], key: string): Promise<BatchResult> {
  const res = await fetch(`${pushUrl}/${encodeURIComponent(to)}`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ key, ids: items.map((i) => i.recordId), pid: process.pid }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as BatchResult;
}

const empty = async () => ({ items: [], cursor: null, more: false });
const ports: PortFactory = {
  cart: (_c, who) => ({
    pullOrders: empty,
    pushShipments: (items, key) => post(`${who.merchantId}/${who.cartId}:ship`, items, key),
    pushInventory: (items, key) => post(`${who.merchantId}/${who.cartId}:inv`, items, key),
  }),
  wms: (_c, who) => ({
    pushOrders: (items, key) => post(`${who.merchantId}/wms`, items, key),
    pullShipments: empty,
    pullInventory: empty,
  }),
};

await runWorkerChild(dbUri, ports, json, `child-${process.pid}`);
