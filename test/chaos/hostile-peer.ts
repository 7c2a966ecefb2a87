// Scenario 6: orderDelivery runs (records + runtime + http connector) against a WMS on 127.0.0.1
// that hangs, drips bytes, streams a huge body, answers malformed JSON or wrong per-record ids,
// or storms 429s. Per misbehaviour: the longest batch against its bound, heap growth, and the
// records' states (all failed and retryable, none skipped, lost or delivered without an ack).
import pino from "pino";
import { createConnectorFactory } from "../../src/connectors/index.js";
import { reconcile } from "../../src/reconcile/engine.js";
import { cols } from "../../src/records/index.js";
import { runNow } from "../../src/runtime/manual.js";
import { type Misbehaviour, startFakeHub } from "../helpers/fake-hub-server.js";
import { tempRepo } from "../helpers/git-repo.js";
import { chaosStore } from "./lib/store.js";
import { Outcome, type ScenarioOptions, type ScenarioResult, trace } from "./lib/types.js";

export const name = "hostile-peer";

const TOKEN_ENV = "SCHEDSYNC_CHAOS_PEER_TOKEN";
const TOKEN = "peer-token";
const YEARLY = '{ cron: "0 0 1 1 *" }';
const DELIVERY = "m1/orderDelivery";
// The connector's defaults (src/connectors/factory.ts): one in-call retry of a 429 waiting ≤ 2 s.
const RATE_RETRIES = 1;
const MAX_RETRY_WAIT_MS = 2_000;
/**
 * Slack for claiming and recording a batch: the short run (npm test on a loaded 2-core machine) sees
 * stalls of seconds. A batch without a deadline (hang, drip) never ends, so the bound still holds it.
 */
const slackMs = (full: boolean) => (full ? 1_500 : 15_000);
/** The recovery run's timeout: the peer answers at once, so only a loaded machine is slow. */
const RECOVERY_TIMEOUT_MS = 30_000;

interface Phase {
  name: string;
  /** The misbehaviour for the n-th request of the phase. */
  script: (n: number) => Misbehaviour;
  /** Wait after the phase so Retry-After has passed before the next one. */
  settleMs?: number;
}

function schedules(wmsUrl: string, cartUrl: string, timeoutMs: number): string {
  const http = (url: string) =>
    `{ type: http, baseUrl: "${url}", tokenEnv: ${TOKEN_ENV}, timeoutMs: ${timeoutMs} }`;
  return `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: m1 }
spec:
  timezone: UTC
  services:
    orderDelivery: ${YEARLY}
    shippingConfirmations: ${YEARLY}
    inventory: ${YEARLY}
  connection: ${http(wmsUrl)}
---
apiVersion: schedsync/v1
kind: Cart
metadata: { id: a, merchant: m1 }
spec:
  services:
    orderDownload: ${YEARLY}
    shipmentUpload: "off"
    inventoryUpload: "off"
  connection: ${http(cartUrl)}
`;
}

const order = (externalId: string) => ({
  externalId,
  cartId: "a",
  lines: [{ sku: "SKU-1", qty: 1 }],
  shipTo: { name: "Buyer", city: "Lyon", country: "FR" },
  placedAt: "2024-03-01T10:00:00.000Z",
});

const MALFORMED = [
  '{"results": [{"id": "x", "ok": tr', // truncated
  "<html><body>502 Bad Gateway</body></html>",
  '{"results": "all good"}',
  '{"results": [{"id": 1, "ok": "true"}]}',
  "",
];

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const out = new Outcome(name);
  const full = opts.scale === "full";
  const records = full ? 200 : 20;
  const batchSize = full ? 20 : 10;
  const timeoutMs = full ? 3_000 : 1_000;
  const hugeBytes = full ? 5 * 1024 ** 3 : 200 * 1024 ** 2;

  // What the peer said ok for, over the whole run (ids it acknowledged).
  const acked = new Set<string>();
  const ack = (results: { id: string; ok: boolean }[]) => {
    for (const r of results) if (r.ok) acked.add(r.id);
  };
  const phases: Phase[] = [
    { name: "hang", script: () => ({ hang: true }) },
    { name: "drip", script: () => ({ dripMs: 50 }) },
    { name: "huge", script: () => ({ hugeBytes }) },
    { name: "malformed", script: (n) => ({ body: MALFORMED[n % MALFORMED.length] as string }) },
    {
      name: "wrongIds",
      script: () => ({
        results: (rs) => {
          const wrong = rs.map((r) => ({ ...r, id: `other-${r.id}` }));
          ack(wrong);
          return wrong;
        },
      }),
    },
    {
      // Half acknowledged correctly; the rest answered under ids from outside the batch, plus a duplicate.
      name: "partialIds",
      script: () => ({
        results: (rs) => {
          const half = Math.ceil(rs.length / 2);
          const answer = rs.map((r, i) => (i < half ? r : { ...r, id: `order:m1:a:nope-${i}` }));
          if (rs[0]) answer.push({ ...rs[0] });
          ack(answer);
          return answer;
        },
      }),
    },
    { name: "429retryAfter1s", script: () => ({ status: 429, retryAfter: "1" }), settleMs: 1_100 },
    { name: "429retryAfter3s", script: () => ({ status: 429, retryAfter: "3" }), settleMs: 3_100 },
    { name: "429noHeader", script: () => ({ status: 429 }), settleMs: 1_100 },
  ];

  const store = await chaosStore(opts.storeUri);
  const t = await store.newDb("chaos_peer");
  const hub = await startFakeHub({ token: TOKEN });
  const repo = await tempRepo();
  const prevToken = process.env[TOKEN_ENV];
  process.env[TOKEN_ENV] = TOKEN;
  // Each "batch done" debug line carries the send time of one batch.
  const sendMs: number[] = [];
  const log = pino(
    { level: "debug" },
    {
      write(line: string) {
        const o = JSON.parse(line) as { msg?: string; sendMs?: number };
        if (o.msg === "batch done" && typeof o.sendMs === "number") sendMs.push(o.sendMs);
      },
    },
  );
  const options = {
    connectors: createConnectorFactory(),
    log,
    owner: "chaos-peer",
    batchLeaseMs: 5_000,
    runLeaseMs: 5_000,
    periodicBatch: batchSize,
    maxBatchesPerRun: 1_000,
    policy: { maxAttempts: 1_000, maxAgeMs: 86_400_000, retryDelayMs: 0 },
    hooks: { observeAutomaticLatency: () => {}, countTransmission: () => {} },
  };
  const states = async () => {
    const all = await cols(t.db).deliveries.find({ service: "orderDelivery" }).toArray();
    const by: Record<string, number> = {};
    for (const d of all) by[d.state] = (by[d.state] ?? 0) + 1;
    return { all, by };
  };
  const deliveredNotAcked = async () =>
    (await states()).all.filter((d) => d.state === "delivered" && !acked.has(d.recordId)).length;

  try {
    await repo.commit({ "schedules/shop.yaml": schedules(hub.wmsUrl, hub.cartUrl("a"), timeoutMs) });
    const applied = await reconcile({ db: t.db, repo: repo.dir });
    if (applied.outcome !== "applied") throw new Error(`reconcile: ${applied.outcome}`);
    hub.cart("a").addOrders(Array.from({ length: records }, (_, i) => order(String(1000 + i))));
    const dl = (await runNow(t.db, "m1/a/orderDownload", options)) as { stored?: number };
    out.figure("records", dl.stored ?? 0);
    out.goal(dl.stored === records, `downloaded ${dl.stored} orders, expected ${records}`);

    let worstRatio = 0;
    for (const p of phases) {
      hub.script.length = 0;
      for (let n = 0; n < 1_000; n++) hub.script.push(p.script(n));
      sendMs.length = 0;
      const bound = timeoutMs * (RATE_RETRIES + 1) + RATE_RETRIES * MAX_RETRY_WAIT_MS + slackMs(full);
      const deliveredBefore = (await states()).by.delivered ?? 0;
      // Heap plus array buffers: response bytes are held in Uint8Arrays outside the JS heap.
      const used = () => {
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const heap0 = used();
      let heapPeak = heap0;
      const sampler = setInterval(() => {
        heapPeak = Math.max(heapPeak, used());
      }, 20);
      const t0 = Date.now();
      const report = (await runNow(t.db, DELIVERY, options)) as Record<string, number>;
      const runMs = Date.now() - t0;
      clearInterval(sampler);
      hub.script.length = 0;
      const { by } = await states();
      const maxBatch = Math.max(0, ...sendMs);
      const growthMb = (heapPeak - heap0) / 1024 ** 2;
      out.figure(`${p.name}.batches`, report.batches ?? 0);
      out.figure(`${p.name}.maxBatchMs`, maxBatch);
      out.figure(`${p.name}.boundMs`, bound);
      out.figure(`${p.name}.runMs`, runMs);
      out.figure(`${p.name}.memGrowthMb`, growthMb);
      out.figure(
        `${p.name}.failed/skipped/delivered`,
        `${by.failed ?? 0}/${by.skipped ?? 0}/${by.delivered ?? 0}`,
      );
      trace(`${p.name}: ${JSON.stringify({ report, by, maxBatch, growthMb })}`);
      worstRatio = Math.max(worstRatio, maxBatch / bound);
      out.goal(maxBatch <= bound, `${p.name}: a batch took ${maxBatch} ms (bound ${bound} ms)`);
      out.goal(growthMb < 64, `${p.name}: heap + buffers grew ${growthMb.toFixed(1)} MB`);
      out.goal((report.batches ?? 0) > 0, `${p.name}: no batch was sent`);
      out.goal((by.skipped ?? 0) === 0, `${p.name}: ${by.skipped} records skipped`);
      out.goal(
        (by.inflight ?? 0) === 0 && (by.pending ?? 0) === 0,
        `${p.name}: records left inflight or pending`,
      );
      const total = Object.values(by).reduce((a, b) => a + b, 0);
      out.goal(total === records, `${p.name}: ${total} deliveries, expected ${records} (records lost)`);
      if (p.name !== "partialIds")
        out.goal(
          (by.delivered ?? 0) === deliveredBefore,
          `${p.name}: ${(by.delivered ?? 0) - deliveredBefore} records marked delivered`,
        );
      out.goal((await deliveredNotAcked()) === 0, `${p.name}: delivered without the peer's ack`);
      if (p.settleMs) await new Promise((r) => setTimeout(r, p.settleMs));
    }
    out.figure("worstBatchOverBound", worstRatio);

    // The peer behaves again: every record still there must go through, each one acknowledged. Its
    // answers are normal now, so the connection gets a timeout a slow machine cannot hit.
    await repo.commit({
      "schedules/shop.yaml": schedules(hub.wmsUrl, hub.cartUrl("a"), RECOVERY_TIMEOUT_MS),
    });
    const reapplied = await reconcile({ db: t.db, repo: repo.dir });
    if (reapplied.outcome !== "applied") throw new Error(`reconcile: ${reapplied.outcome}`);
    for (let n = 0; n < 1_000; n++)
      hub.script.push({
        results: (rs) => {
          ack(rs);
          return rs;
        },
      });
    await runNow(t.db, DELIVERY, options);
    hub.script.length = 0;
    const { by } = await states();
    out.figure("afterRecovery.delivered", by.delivered ?? 0);
    out.figure("deliveredNotAcked", await deliveredNotAcked());
    out.goal(by.delivered === records, `after recovery ${by.delivered ?? 0}/${records} delivered`);
    out.goal((await deliveredNotAcked()) === 0, "records marked delivered that the peer did not acknowledge");
  } finally {
    hub.script.length = 0;
    if (prevToken === undefined) delete process.env[TOKEN_ENV];
    else process.env[TOKEN_ENV] = prevToken;
    await hub.close();
    await repo.remove();
    await t.close();
    await store.close();
  }
  return out.result();
}
