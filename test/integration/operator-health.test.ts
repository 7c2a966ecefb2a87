// A failing job's visibility end to end, on the real store and a real Agenda worker: the log
// lines (WARN per failed run, ERROR once per state change), the job's health (status), staleness,
// /metrics, the status page, and the notification webhook (a real HTTP server on 127.0.0.1).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorFactory } from "../../src/connectors/factory.js";
import type { RecordResult } from "../../src/connectors/port.js";
import { PATH } from "../../src/jobs/document.js";
import { loadSpec } from "../../src/jobs/repository.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { createNotifier, type Notifier } from "../../src/platform/notify.js";
import { readStatus } from "../../src/reconcile/status.js";
import type { Order } from "../../src/records/index.js";
import { runKey } from "../../src/runtime/run-key.js";
import { createWorker, type Worker } from "../../src/runtime/worker.js";
import { type RunningServer, startServer } from "../../src/server/app.js";
import { recordsCounter } from "../../src/server/record-counts.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { parsePrometheus } from "../helpers/prometheus.js";
import { anOrder } from "../helpers/records.js";
import { waitFor } from "../helpers/wait-for.js";
import { cart, every5m, installJobs, merchant } from "../helpers/worker-jobs.js";

type Line = { level: number; msg: string; key?: string; reason?: string; [k: string]: unknown };
const WARN = 40;
const ERROR = 50;

/** A cart with orders to pull and a WMS that rejects every order while `wmsDown`. */
class Systems implements ConnectorFactory {
  wmsDown = true;
  orders: Order[] = [];
  cart() {
    const none = async (): Promise<RecordResult[]> => [];
    return {
      pullOrders: async (cursor: string | undefined) => ({
        orders: this.orders.slice(Number(cursor ?? 0)),
        cursor: String(this.orders.length),
        more: false,
      }),
      pushShipments: none,
      pushInventory: none,
    };
  }
  wms() {
    return {
      pushOrders: async (batch: { id: string }[]): Promise<RecordResult[]> =>
        batch.map(({ id }) =>
          this.wmsDown
            ? { id, ok: false, error: "WMS answered 503 Service Unavailable", retryable: true }
            : { id, ok: true },
        ),
      pullShipments: async () => ({ shipments: [], cursor: "", more: false }),
      pullInventory: async () => ({ levels: [], cursor: "", more: false }),
    };
  }
}

// The timeout only ends a hang; the waits inside are for conditions.
describe("a failing job is loud and visible", { timeout: 300_000 }, () => {
  let t: TestDb;
  let w: Worker;
  let srv: RunningServer;
  let hook: Server;
  let notifier: Notifier;
  const posts: { text: string }[] = [];
  const lines: Line[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const systems = new Systems();
  const metrics = createMetrics();
  const HOOK_PATH = "/services/T000/B000/secret-part";

  const run = async (key: string) => {
    const spec = await loadSpec(t.db, key);
    if (!spec) throw new Error(`no job ${key}`);
    return runKey(w.ctx, spec);
  };
  const at = (level: number, msg: string, key: string) =>
    lines.filter((l) => l.level === level && l.msg === msg && l.key === key);

  beforeAll(async () => {
    t = await testDb("health");
    // orderDelivery every 5m, so each run is ours to start (no trigger races the assertions).
    await installJobs(t.db, [merchant("m1", [cart("A", "m1")], { orderDelivery: every5m })]);
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        if (req.url === HOOK_PATH) posts.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}${HOOK_PATH}`;
    notifier = createNotifier({ url, log });
    w = createWorker(t.db, {
      connectors: systems,
      log,
      hooks: metrics.hooks,
      notify: notifier.notify,
      processEvery: 200,
      policy: { maxAttempts: 50, maxAgeMs: 86_400_000, retryDelayMs: 0 },
    });
    await w.start();
    srv = await startServer(
      {
        db: t.db,
        storeUri: "mongodb://test",
        reconcile: async () => ({ revision: "abc", outcome: "in-sync" }),
        log,
        metrics,
        records: recordsCounter(),
        notify: notifier.notify,
        // A store that answers keeps its gauges on /metrics though this process stalled a second.
        pingTimeoutMs: 30_000,
      },
      { host: "127.0.0.1", port: 0 },
    );
  });
  afterAll(async () => {
    await srv?.close();
    await w?.stop(5_000);
    await notifier?.flush();
    await new Promise((r) => hook?.close(r));
    await t?.close();
  });

  it("logs WARN with key and reason for each failed run, and ERROR once when the job turns failing", async () => {
    systems.orders = [1, 2, 3].map((n) => anOrder(`o${n}`, "A"));
    expect(await run("m1/A/orderDownload")).toMatchObject({ stored: 3 });
    for (let i = 0; i < 3; i++)
      expect(await run("m1/orderDelivery")).toMatchObject({ failed: 3, delivered: 0 });
    const warned = at(WARN, "run failed", "m1/orderDelivery");
    expect(warned).toHaveLength(3);
    expect(warned[0]?.reason).toBe("3 of 3 records failed: WMS answered 503 Service Unavailable");
    expect(at(ERROR, "job is failing", "m1/orderDelivery")).toHaveLength(1);
    // A run that failed every record is never logged as a plain "run finished" INFO line.
    expect(lines.filter((l) => l.msg === "run finished" && l.key === "m1/orderDelivery")).toHaveLength(0);
  });

  it("shows the failure on status, with its reason, and counts it on /metrics", async () => {
    const status = await readStatus(t.db);
    const job = status.jobs.find((j) => j.key === "m1/orderDelivery");
    expect(job).toMatchObject({
      state: "failing",
      consecutiveFailures: 3,
      lastFailureReason: "3 of 3 records failed: WMS answered 503 Service Unavailable",
      lastSuccessAt: null,
    });
    expect(status.jobs.find((j) => j.key === "m1/A/orderDownload")?.state).toBe("ok");
    const text = await (await fetch(`${srv.url}metrics`)).text();
    const fams = parsePrometheus(text);
    const failures = fams.get("schedsync_job_failures_total")?.samples ?? [];
    expect(failures).toContainEqual(
      expect.objectContaining({ labels: { merchant: "m1", cart: "", service: "orderDelivery" }, value: 3 }),
    );
    const success = fams.get("schedsync_job_last_success_timestamp_seconds")?.samples ?? [];
    expect(success.map((s) => s.labels)).toContainEqual({
      merchant: "m1",
      cart: "A",
      service: "orderDownload",
    });
    expect(success.map((s) => s.labels)).not.toContainEqual({
      merchant: "m1",
      cart: "",
      service: "orderDelivery",
    });
    const streak = fams.get("schedsync_job_consecutive_failures")?.samples ?? [];
    expect(streak).toContainEqual(
      expect.objectContaining({ labels: { merchant: "m1", cart: "", service: "orderDelivery" }, value: 3 }),
    );
  });

  it("shows the failing job and its reason on the status page", async () => {
    const html = await (await fetch(srv.url)).text();
    expect(html).toContain('id="health"');
    expect(html).toMatch(/<tr data-merchant="m1">.*chip s-failing/);
    const failures = html.slice(html.indexOf('id="failures"'), html.indexOf('id="charts"'));
    expect(failures).toContain("m1/orderDelivery");
    expect(failures).toContain("WMS answered 503 Service Unavailable");
  });

  it("posts one notification for the state change, and the URL is never logged", async () => {
    await waitFor("the failing notification", () => posts.length >= 1);
    await notifier.flush();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.text).toContain("m1/orderDelivery is failing");
    expect(JSON.stringify(lines)).not.toContain("secret-part");
  });

  it("logs INFO once when the job recovers, and clears the streak", async () => {
    systems.wmsDown = false;
    expect(await run("m1/orderDelivery")).toMatchObject({ delivered: 3, failed: 0 });
    expect(lines.filter((l) => l.msg === "job recovered" && l.key === "m1/orderDelivery")).toHaveLength(1);
    const job = (await readStatus(t.db)).jobs.find((j) => j.key === "m1/orderDelivery");
    expect(job).toMatchObject({ state: "ok", consecutiveFailures: 0 });
    expect(job?.lastSuccessAt).not.toBeNull();
  });

  it("calls a job stale when it had no success within k of its runs, on status and /metrics", async () => {
    // shippingConfirmations runs every 5m (on the 5-minute marks): with k = 3 a success 16 minutes
    // ago is stale (3 runs fell due within 15 minutes), with k = 5 it is not (20 minutes at least).
    const old = new Date(Date.now() - 16 * 60_000);
    await t.db
      .collection("agendaJobs")
      .updateOne(
        { [PATH.key]: "m1/shippingConfirmations" },
        { $set: { [`${PATH.health}.lastSuccessAt`]: old } },
      );
    const jobs = (await readStatus(t.db)).jobs;
    expect(jobs.find((j) => j.key === "m1/shippingConfirmations")?.state).toBe("stale");
    expect(
      (await readStatus(t.db, { staleAfterRuns: 5 })).jobs.find((j) => j.key === "m1/shippingConfirmations")
        ?.state,
    ).toBe("ok");
    const fams = parsePrometheus(await (await fetch(`${srv.url}metrics`)).text());
    const stale = fams.get("schedsync_job_stale")?.samples ?? [];
    expect(stale).toContainEqual(
      expect.objectContaining({
        labels: { merchant: "m1", cart: "", service: "shippingConfirmations" },
        value: 1,
      }),
    );
    expect(stale).toContainEqual(
      expect.objectContaining({ labels: { merchant: "m1", cart: "", service: "orderDelivery" }, value: 0 }),
    );
  });
});
