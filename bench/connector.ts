// Throughput and per-batch latency of the http connector against a local protocol server, side by
// side with raw POSTs (fetch) of the same batches: what the connector's checks cost.
import { performance } from "node:perf_hooks";
import { createWmsConnector } from "../src/connectors/index.js";
import type { OrderOut } from "../src/connectors/port.js";
import { startFakeHub } from "../test/helpers/fake-hub-server.js";

const BATCHES = 300;
const BATCH = 100;
const CONCURRENCY = [1, 4];

const order = (b: number, i: number): OrderOut => ({
  id: `order:bench:c1:${b}-${i}`,
  externalId: `${b}-${i}`,
  cartId: "c1",
  lines: [{ sku: `SKU-${i % 20}`, qty: 1 + (i % 3) }],
  shipTo: { name: `Buyer ${i}`, line1: `${i} Bench Road`, city: "Lyon", country: "FR" },
  placedAt: "2024-03-01T10:00:00.000Z",
});

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measure(
  concurrency: number,
  send: (batch: OrderOut[], key: string) => Promise<unknown>,
  tag: string,
): Promise<string> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let b = next++; b < BATCHES; b = next++) {
        const batch = Array.from({ length: BATCH }, (_, i) => order(b, i));
        const s = performance.now();
        await send(batch, `${tag}-${concurrency}-${b}`);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return (
    `${tag.padEnd(9)} c=${concurrency}: ${Math.round((BATCHES * BATCH) / secs)} records/s, ` +
    `batch p50 ${pct(lat, 50).toFixed(1)} ms, p95 ${pct(lat, 95).toFixed(1)} ms`
  );
}

export async function benchConnector(): Promise<{ name: string; lines: string[] }> {
  const hub = await startFakeHub({ token: "bench" });
  const env = { BENCH_TOKEN: "bench" };
  const wms = createWmsConnector(
    { type: "http", baseUrl: hub.wmsUrl, tokenEnv: "BENCH_TOKEN" },
    { merchantId: "bench", env },
  );
  const raw = async (batch: OrderOut[], key: string) => {
    const res = await fetch(`${hub.wmsUrl}/orders`, {
      method: "POST",
      headers: { Authorization: "Bearer bench", "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify({ orders: batch }),
    });
    return res.json();
  };
  const lines = [
    `${BATCHES} batches of ${BATCH} orders, local fake hub server (in-memory, idempotency store)`,
  ];
  try {
    for (const c of CONCURRENCY) {
      lines.push(await measure(c, raw, "raw POST"));
      lines.push(await measure(c, (b, k) => wms.pushOrders(b, k), "connector"));
    }
  } finally {
    await hub.close();
  }
  return { name: "connector", lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchConnector();
  for (const l of r.lines) console.log(l);
}
